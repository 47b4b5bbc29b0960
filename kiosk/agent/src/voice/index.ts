export { type PromptLanguage, VoicePrompts, type VoicePromptsOptions } from './voice-prompts.ts'
export { wavRms } from './wav-level.ts'

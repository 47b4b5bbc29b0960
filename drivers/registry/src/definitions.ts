import type { DeviceDefinition } from './definition.ts'
import { loadDefinitions } from './load-models.ts'

/**
 * Every model file under drivers/registry/models, read once when the registry is first imported
 * (pure data, never changed). To add a model: add `models/<vendor>/<model>.json`; the registry
 * test validates it against models/model.schema.json and checks its USB ids are unique.
 */
export const allDefinitions: readonly DeviceDefinition[] = loadDefinitions()

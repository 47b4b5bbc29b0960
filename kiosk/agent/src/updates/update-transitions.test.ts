import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { UpdateErrorCodes } from './update-errors.ts'
import {
  DEPLOYMENT_STATE_OF,
  nextState,
  TERMINAL_STATES,
  UPDATE_TRANSITIONS,
  type UpdateEvent,
  type UpdateState,
} from './update-transitions.ts'

const STATES = Object.keys(UPDATE_TRANSITIONS) as UpdateState[]
const EVENTS: UpdateEvent[] = [
  'start',
  'downloaded',
  'verified',
  'gateOpen',
  'installed',
  'restarted',
  'healthy',
  'rolledBack',
  'fail',
]

const EXPECTED: [UpdateState, UpdateEvent, UpdateState][] = [
  ['idle', 'start', 'downloading'],
  ['downloading', 'downloaded', 'verifying'],
  ['downloading', 'fail', 'failed'],
  ['verifying', 'verified', 'awaitingGate'],
  ['verifying', 'fail', 'failed'],
  ['awaitingGate', 'gateOpen', 'installing'],
  ['awaitingGate', 'fail', 'failed'],
  ['installing', 'installed', 'rebooting'],
  ['installing', 'fail', 'rollingBack'],
  ['rebooting', 'restarted', 'healthCheck'],
  ['rebooting', 'fail', 'rollingBack'],
  ['healthCheck', 'healthy', 'committed'],
  ['healthCheck', 'fail', 'rollingBack'],
  ['rollingBack', 'rolledBack', 'rolledBack'],
  ['rollingBack', 'fail', 'failed'],
  ['committed', 'start', 'downloading'],
  ['rolledBack', 'start', 'downloading'],
  ['failed', 'start', 'downloading'],
]

describe('update transition table', () => {
  it('has exactly the documented edges; every other (state, event) is refused with a stable code', () => {
    for (const state of STATES) {
      for (const event of EVENTS) {
        const expected = EXPECTED.find(([s, e]) => s === state && e === event)?.[2]
        if (expected !== undefined) {
          expect(nextState(state, event), `${state} + ${event}`).toBe(expected)
          continue
        }
        let caught: unknown
        try {
          nextState(state, event)
        } catch (err) {
          caught = err
        }
        expect(isAppError(caught, UpdateErrorCodes.illegalEvent), `${state} + ${event} refused`).toBe(true)
      }
    }
  })

  it('every in-progress state has a failure edge, every terminal state only accepts a new start', () => {
    for (const state of STATES) {
      const edges = Object.keys(UPDATE_TRANSITIONS[state])
      if (TERMINAL_STATES.has(state)) expect(edges).toEqual(['start'])
      else expect(edges).toContain('fail')
    }
  })

  it('once the pointer may have moved (installing on), failure goes through rollingBack', () => {
    for (const state of ['installing', 'rebooting', 'healthCheck'] as const) {
      expect(nextState(state, 'fail')).toBe('rollingBack')
    }
  })

  it('every state is reachable from idle', () => {
    const seen = new Set<UpdateState>(['idle'])
    const queue: UpdateState[] = ['idle']
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      for (const next of Object.values(UPDATE_TRANSITIONS[s])) {
        if (!seen.has(next)) {
          seen.add(next)
          queue.push(next)
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATES].sort())
  })

  it('maps every reported state onto the protocol vocabulary', () => {
    expect(DEPLOYMENT_STATE_OF).toEqual({
      idle: undefined,
      downloading: 'downloading',
      verifying: 'downloading',
      awaitingGate: 'downloaded',
      installing: 'installing',
      rebooting: 'rebooting',
      healthCheck: 'rebooting',
      committed: 'success',
      rollingBack: 'failure',
      rolledBack: 'rolledBack',
      failed: 'failure',
    })
  })
})

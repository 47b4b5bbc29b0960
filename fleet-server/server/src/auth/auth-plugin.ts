import type { FastifyPluginAsync } from 'fastify'
import { type AuthRoutesOptions, authRoutes } from './auth-routes.ts'

/** The auth feature over HTTP: login/logout, `/api/me`, API tokens and users. */
export const authPlugin: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  await app.register(authRoutes, options)
}

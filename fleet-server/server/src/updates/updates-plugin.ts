import type { FastifyPluginAsync } from 'fastify'
import { artifactRoutes } from './artifact-routes.ts'
import { updateRepoRoutes } from './update-repo-routes.ts'
import type { UpdateRuntime } from './update-runtime.ts'

/** The updates feature over HTTP: the TUF repository (`/updates/…`) and artifacts (`/api/artifacts…`). */
export const updatesPlugin: FastifyPluginAsync<{ updates: UpdateRuntime }> = async (app, { updates }) => {
  const notInitialised = () => {
    const repo = updates.repository()
    return typeof repo === 'string' ? repo : undefined
  }
  await app.register(updateRepoRoutes, {
    store: updates.store,
    blobs: updates.store.blobs,
    service: updates.service,
    artifacts: updates.artifacts,
    notInitialised,
  })
  await app.register(artifactRoutes, { service: updates.service, artifacts: updates.artifacts })
}

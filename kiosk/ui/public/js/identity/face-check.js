/**
 * 人证核验 in the kiosk UI: the kiosk camera (getUserMedia), a liveness / anti-spoof check and the
 * comparison of the live face with the photo read from the ID card.
 *
 * Two IdentityVerifier implementations, one interface `verify(cardPhoto, liveFrames) → decision`:
 * - OnDeviceVerifier runs @vladmandic/human (detector, description, anti-spoof and liveness models
 *   shipped inside the npm package, served by the agent from the kiosk's own disk) in this page:
 *   face images and embeddings never leave the page, and are dropped when the check ends.
 * - RemoteVerifier hands the frames to the agent, which asks the identity platform over HTTP.
 * Either way the agent counts the tries (three) and gates every personal-data step on the outcome.
 */

/** Frames taken over this window are the live sample (motion between them is part of liveness). */
export const CAPTURE = { frames: 5, intervalMs: 300, width: 640, height: 480 }

/**
 * Decision thresholds of the on-device check (docs/identity.md says how they were measured). `real`
 * (the anti-spoof model, mean over the frames) is low because the model scores genuine faces from a
 * low-resolution camera anywhere from 0.24 to 0.84; a still photo is caught by the motion and the
 * liveness model.
 */
export const THRESHOLDS = { similarity: 0.55, real: 0.3, live: 0.5, minMotionPx: 0.6 }

const HUMAN_CONFIG = {
  modelBasePath: '/vendor/human/models/',
  debug: false,
  async: true,
  warmup: 'none',
  cacheSensitivity: 0,
  face: {
    enabled: true,
    detector: { enabled: true, rotation: false, maxDetected: 2, minConfidence: 0.3 },
    mesh: { enabled: true },
    iris: { enabled: false },
    description: { enabled: true },
    emotion: { enabled: false },
    antispoof: { enabled: true },
    liveness: { enabled: true },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
  filter: { enabled: false },
}

/** The biggest face of a detection result, or undefined. */
function mainFace(result) {
  return [...(result.face ?? [])].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0]
}

/** Mean movement (px) of the face box centre between consecutive frames: a still photo barely moves. */
export function meanMotion(boxes) {
  let sum = 0
  for (let i = 1; i < boxes.length; i++) {
    const [ax, ay, aw, ah] = boxes[i - 1]
    const [bx, by, bw, bh] = boxes[i]
    sum += Math.hypot(bx + bw / 2 - (ax + aw / 2), by + bh / 2 - (ay + ah / 2)) + Math.abs(bw - aw)
  }
  return boxes.length > 1 ? sum / (boxes.length - 1) : 0
}

export class OnDeviceVerifier {
  kind = 'onDevice'
  #loading

  /** Loads the models once (the kiosk preloads at start; `bench:identity` reports the time). */
  load() {
    this.#loading ??= (async () => {
      /** Served by the agent from the @vladmandic/human package on the kiosk's disk. */
      const humanModule = '/vendor/human/dist/human.esm.js'
      const { Human } = await import(humanModule)
      const human = new Human(HUMAN_CONFIG)
      await human.load()
      return human
    })()
    return this.#loading
  }

  /**
   * @param {HTMLImageElement} cardPhoto the decoded card photo
   * @param {HTMLCanvasElement[]} liveFrames frames from the camera
   * @returns {Promise<{ outcome: 'match'|'noMatch'|'spoof'|'noFace', similarity?: number, real?: number, live?: number, motion?: number }>}
   */
  async verify(cardPhoto, liveFrames) {
    const human = await this.load()
    const card = mainFace(await human.detect(cardPhoto))
    if (!card?.embedding) return { outcome: 'noFace' }
    const faces = []
    for (const frame of liveFrames) {
      const face = mainFace(await human.detect(frame))
      if (face?.embedding) faces.push(face)
    }
    if (faces.length < Math.ceil(liveFrames.length / 2)) return { outcome: 'noFace' }
    const avg = (f) => faces.reduce((n, x) => n + (f(x) ?? 0), 0) / faces.length
    const real = avg((f) => f.real)
    const live = avg((f) => f.live)
    const motion = meanMotion(faces.map((f) => f.box))
    const similarity = Math.max(...faces.map((f) => human.match.similarity(card.embedding, f.embedding)))
    const decision = { similarity, real, live, motion }
    // Embeddings go out of scope here; only these four numbers and the outcome leave the function.
    if (real < THRESHOLDS.real || live < THRESHOLDS.live || motion < THRESHOLDS.minMotionPx) {
      return { outcome: 'spoof', ...decision }
    }
    return { outcome: similarity >= THRESHOLDS.similarity ? 'match' : 'noMatch', ...decision }
  }
}

export class RemoteVerifier {
  kind = 'remote'
  #api

  constructor(api) {
    this.#api = api
  }

  load() {
    return Promise.resolve()
  }

  /** The agent holds the card photo; frames go to it as JPEG over the loopback socket. */
  async verify(_cardPhoto, liveFrames) {
    const frames = liveFrames.map((c) => c.toDataURL('image/jpeg', 0.8).slice('data:image/jpeg;base64,'.length))
    return this.#api.command('Identity.Verify', { frames })
  }
}

/**
 * Resolves when the video presents its next frame (requestVideoFrameCallback), or after one frame
 * time at 15 fps where the browser lacks it.
 * @param {HTMLVideoElement} video
 */
function nextVideoFrame(video) {
  return new Promise((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve(undefined))
    else setTimeout(resolve, 70)
  })
}

/** Camera + verifier + the agent's count of tries, for one citizen at a time. */
export class FaceCheck {
  #api
  #stream
  #verifiers = {}

  constructor({ api }) {
    this.#api = api
    /** One preview element for the whole check: renders move it, never replace it. */
    this.video = document.createElement('video')
    this.video.className = 'face-preview'
    this.video.autoplay = true
    this.video.muted = true
    this.video.playsInline = true
  }

  async #camera(video) {
    if (!this.#stream) {
      this.#stream = await navigator.mediaDevices.getUserMedia({
        video: { width: CAPTURE.width, height: CAPTURE.height, facingMode: 'user' },
        audio: false,
      })
    }
    if (video && video.srcObject !== this.#stream) {
      video.srcObject = this.#stream
      await video.play().catch(() => undefined)
    }
    return this.#stream
  }

  /**
   * Loads the on-device models while nobody waits (at UI start), so the first citizen's check does
   * not pay for them. A failure here is only logged: the check itself reports it as unavailable.
   * @param {'onDevice' | 'remote' | 'off'} mode
   */
  preload(mode) {
    if (mode !== 'onDevice') return
    this.#verifiers.onDevice ??= new OnDeviceVerifier()
    this.#verifiers.onDevice.load().catch((err) => {
      console.error('face models not loaded', err instanceof Error ? err.message : String(err))
    })
  }

  /** Shows the camera in the preview (the citizen sees themself before the check starts). */
  async preview(video) {
    try {
      await this.#camera(video)
      return true
    } catch {
      return false
    }
  }

  async #frames(video) {
    const frames = []
    for (let i = 0; i < CAPTURE.frames; i++) {
      if (video.readyState < 2) await new Promise((r) => video.addEventListener('loadeddata', r, { once: true }))
      // A fresh camera frame each time: on a busy kiosk the element may still show the frame drawn
      // last, and identical frames would read as a still photo (no motion).
      await nextVideoFrame(video)
      const canvas = document.createElement('canvas')
      canvas.width = video.videoWidth || CAPTURE.width
      canvas.height = video.videoHeight || CAPTURE.height
      canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height)
      frames.push(canvas)
      await new Promise((r) => setTimeout(r, CAPTURE.intervalMs))
    }
    return frames
  }

  /** One try: start (agent says which verifier and gives the card photo), capture, verify, report. */
  async run(video) {
    const started = await this.#api.command('Identity.FaceStart')
    if (started.completionCode !== 'success') return started
    if (!(await this.preview(video))) {
      return this.#api.command('Identity.FaceResult', { outcome: 'cameraNotReady' })
    }
    this.#verifiers[started.mode] ??= started.mode === 'remote' ? new RemoteVerifier(this.#api) : new OnDeviceVerifier()
    const verifier = this.#verifiers[started.mode]
    let frames = await this.#frames(video)
    let photo
    try {
      if (started.mode === 'remote') return await verifier.verify(undefined, frames)
      photo = new Image()
      photo.src = started.cardPhoto
      await photo.decode()
      const decision = await verifier.verify(photo, frames)
      return await this.#api.command('Identity.FaceResult', {
        outcome: decision.outcome,
        scores: {
          similarity: decision.similarity ?? null,
          real: decision.real ?? null,
          live: decision.live ?? null,
          motion: decision.motion ?? null,
        },
      })
    } catch (err) {
      console.error('face check failed', err instanceof Error ? err.message : String(err))
      return this.#api.command('Identity.FaceResult', { outcome: 'unavailable' })
    } finally {
      // Wipe: the frames' pixels and the card photo are dropped here.
      for (const f of frames) {
        f.width = 0
        f.height = 0
      }
      frames = []
      if (photo) photo.src = ''
    }
  }

  /** Session end: camera off, nothing kept. */
  stop() {
    for (const track of this.#stream?.getTracks() ?? []) track.stop()
    this.#stream = undefined
  }
}

import { Type } from '@sinclair/typebox'

/** How the kiosk checks that the citizen is the card holder (人证核验), and where voice prompts come from. */
export const IdentityConfig = Type.Object(
  {
    /**
     * `onDevice`: the citizen UI compares the face with the card photo using the face models
     * shipped in @vladmandic/human (nothing leaves the kiosk); `remote`: the agent asks an identity
     * platform over HTTP; `off`: no face check (services that require one are then not offered honestly:
     * their card step refuses with faceUnavailable).
     */
    faceCheck: Type.Union([Type.Literal('onDevice'), Type.Literal('remote'), Type.Literal('off')], {
      default: 'onDevice',
    }),
    /** The identity platform's base URL (remote mode), e.g. https://idp.example.gov.cn. */
    platformUrl: Type.Optional(Type.String({ minLength: 1 })),
    platformTimeoutMs: Type.Integer({ minimum: 500, maximum: 30_000, default: 8000 }),
    /** Tries before the citizen is sent to the counter. */
    maxFaceTries: Type.Integer({ minimum: 1, maximum: 5, default: 3 }),
    voice: Type.Object(
      {
        /** Folder of recorded prompts `{lang}/{key}.wav` that replace the synthesised ones. */
        recordedDir: Type.Optional(Type.String({ minLength: 1 })),
        /** The espeak-ng binary (Debian package espeak-ng). */
        espeak: Type.String({ default: 'espeak-ng' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
)

/**
 * Words of the identity steps (card checks, face check, take-your-card, help, voice), merged into
 * STRINGS by `withIdentityStrings`. Each entry is also a voice prompt: `voice.js` speaks the same text.
 */
const ZH = {
  voiceOn: '语音播报：开',
  voiceOff: '语音播报：关',
  volume: '音量',
  help: '帮助',
  helpText: '需要帮助时，请按服务台的呼叫按钮，或到人工服务窗口，工作人员会帮您办理。咨询电话 12345。',
  takeCardNow: '请取走您的身份证',
  takeCardHint: '证件还在感应区上。拿走证件后，屏幕回到首页。',
  faceTitle: '请看向屏幕上方的摄像头',
  faceHint: '摘下帽子和口罩，保持不动约两秒，我们核对您和身份证照片是否为同一人。',
  faceChecking: '正在核验，请保持不动…',
  faceTriesLeft: (n) => `还可以再试 ${n} 次`,
  faceStart: '开始核验',
  cameraBroken: '摄像头暂时无法使用。',
  pinTriesLeft: (n) => `再输错 ${n} 次，密码将被锁定`,
  printAgain: '重新打印',
  printFailedKept: '您的查询结果还在屏幕上，可以稍后再打印。',
  errors: {
    cardExpired: '您的证件已过有效期，不能在本机办理。请使用有效证件，或到人工窗口办理。',
    cardNotYetValid: '您的证件还未到有效期开始日期，不能在本机办理。',
    cardDatesUnreadable: '读不出证件的有效期，不能在本机办理。请到人工窗口办理。',
    cardTypeNotAccepted: '本业务不受理这种证件。请使用居民身份证，或到人工窗口办理。',
    faceNoMatch: '人脸与身份证照片不一致。',
    faceSpoof: '没有检测到真人，请本人直接面对摄像头，不要使用照片或视频。',
    faceNoFace: '没有看到您的脸，请正对摄像头。',
    faceLocked: '人脸核验3次没有通过。请带上身份证到人工窗口办理，工作人员会为您核验身份。',
    faceUnavailable: '人脸核验暂时无法进行。请到人工窗口办理。',
    cameraNotReady: '摄像头暂时无法使用。请到人工窗口办理。',
    photoUnreadable: '读不出身份证照片，不能进行人脸核验。请到人工窗口办理。',
    faceCheckRequired: '请先完成人脸核验。',
    backendUnavailable:
      '业务系统暂时连不上，已自动重试一次。请稍后再试，或到人工窗口办理（工作人员使用的是另一条通道）。',
  },
}

const EN = {
  voiceOn: 'Voice: on',
  voiceOff: 'Voice: off',
  volume: 'Volume',
  help: 'Help',
  helpText:
    'If you need help, press the call button at the service desk or go to the staffed window; the staff will serve you. Hotline 12345.',
  takeCardNow: 'Please take your ID card',
  takeCardHint: 'Your card is still on the reader. Once you take it, the screen returns home.',
  faceTitle: 'Please look at the camera above the screen',
  faceHint: 'Take off hat and mask and keep still for about two seconds: we check that you are the person on the card.',
  faceChecking: 'Checking, please keep still…',
  faceTriesLeft: (n) => `${n} ${n === 1 ? 'try' : 'tries'} left`,
  faceStart: 'Start the check',
  cameraBroken: 'The camera is not working right now.',
  pinTriesLeft: (n) => `${n} more wrong ${n === 1 ? 'try locks' : 'tries lock'} the PIN`,
  printAgain: 'Print again',
  printFailedKept: 'Your results are still on the screen; you can print later.',
  errors: {
    cardExpired: 'Your card has expired and cannot be used here. Use a valid card, or go to the staffed window.',
    cardNotYetValid: 'Your card is not valid yet and cannot be used here.',
    cardDatesUnreadable: 'The validity dates on your card cannot be read. Please go to the staffed window.',
    cardTypeNotAccepted: 'This service does not accept this kind of card. Use a resident ID card, or go to the window.',
    faceNoMatch: 'Your face does not match the photo on the card.',
    faceSpoof: 'No live person was seen. Face the camera yourself; photos and videos are refused.',
    faceNoFace: 'No face was seen. Please face the camera.',
    faceLocked:
      'The face check failed 3 times. Please take your ID card to the staffed window; the staff will check it.',
    faceUnavailable: 'The face check is not available right now. Please go to the staffed window.',
    cameraNotReady: 'The camera is not working. Please go to the staffed window.',
    photoUnreadable: 'The photo on your card cannot be read, so the face check cannot run. Please go to the window.',
    faceCheckRequired: 'Please finish the face check first.',
    backendUnavailable:
      'The department system cannot be reached; it was retried once. Try later, or go to the staffed window (the staff use another channel).',
  },
}

/** STRINGS with the identity words added (errors merged, not replaced). */
export function withIdentityStrings(strings) {
  const merge = (base, extra) => ({ ...base, ...extra, errors: { ...base.errors, ...extra.errors } })
  return { zh: merge(strings.zh, ZH), en: merge(strings.en, EN) }
}

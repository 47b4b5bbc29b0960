/** Words of the catalogue screens (menu, inputs, results), beside i18n.js. */
export const CATALOGUE_STRINGS = {
  zh: {
    popular: '常用',
    byCategory: '按分类',
    byDepartment: '按部门',
    search: '搜索',
    searchHint: '输入名称的拼音首字母，例如“完税证明”输入 WSZM；或点下面的常用词',
    searchWords: '常用词',
    searchType: '用键盘输入中文或拼音首字母',
    searchDelete: '删除',
    searchEmpty: '没有找到。请换个字母或常用词试试，或按分类查找。',
    pageOf: (page, pages, total) => `第 ${page} / ${pages} 页，共 ${total} 项`,
    allServices: '全部',
    enterCodeMask: (mask) => `请输入编号（${mask.replaceAll('#', '□')}）`,
    scanOrType: '可以把二维码对准扫码口，也可以在下面输入数字。',
    typeOnly: '请在下面输入数字。',
    choosePeriod: '请选择查询期间',
    thisYear: '今年',
    lastYear: (y) => `${y}年`,
    last12: '最近12个月',
    last36: '最近3年',
    startScan: '开始扫描',
    scanning: '正在扫描，请不要移动资料…',
    scanned: (n) => `已扫描 ${n} 页`,
    submit: '提交',
    showQr: '用手机扫码继续',
    qrHint: '请用微信或支付宝扫描二维码。',
    keepCard: '办理期间请把身份证留在感应区；拿走证件即结束办理并清除信息。',
    receiptUnavailable: '凭条打印机暂不可用，不能打印回执。查询结果已显示在屏幕上。',
    outputUnavailable: '打印机暂不可用，这次不能打印。',
    gatewayRetry: '业务系统这次没有应答。可以再试一次。',
    tryAgain: '再试一次',
    unavailableReason: {
      peripheral: '设备暂不可用',
      gatewayDown: '业务系统维护中',
      identityUnavailable: '核验设备暂不可用',
    },
    errors: {
      departmentUnavailable: '这个部门的业务系统暂时无法办理，请稍后再来或到人工窗口办理。',
      codeFormat: '编号位数不对，请核对后重新输入。',
      notEligible: '您暂不符合办理条件。',
      invalidInput: '输入的信息不正确，请核对。',
      periodTooLong: '查询期间太长了，请选短一些。',
    },
  },
  en: {
    popular: 'Most used',
    byCategory: 'By topic',
    byDepartment: 'By department',
    search: 'Search',
    searchHint: 'Type the first letters (pinyin initials or English words), or tap a word below',
    searchWords: 'Common words',
    searchType: 'Type Chinese, English or pinyin initials on a keyboard',
    searchDelete: 'Delete',
    searchEmpty: 'Nothing found. Try other letters or words, or browse by topic.',
    pageOf: (page, pages, total) => `Page ${page} of ${pages}, ${total} services`,
    allServices: 'All',
    enterCodeMask: (mask) => `Type the code (${mask.replaceAll('#', '□')})`,
    scanOrType: 'Hold the QR code to the scanner, or type the digits below.',
    typeOnly: 'Type the digits below.',
    choosePeriod: 'Choose the period',
    thisYear: 'This year',
    lastYear: (y) => `${y}`,
    last12: 'Last 12 months',
    last36: 'Last 3 years',
    startScan: 'Start scanning',
    scanning: 'Scanning, please keep the papers still…',
    scanned: (n) => `${n} page(s) scanned`,
    submit: 'Submit',
    showQr: 'Continue on your phone',
    qrHint: 'Scan the QR code with WeChat or Alipay.',
    keepCard:
      'Keep your ID card on the reader while you are served; taking it away ends the session and clears your details.',
    receiptUnavailable: 'The receipt printer is not available. Your result is shown on the screen.',
    outputUnavailable: 'The printer is not available now.',
    gatewayRetry: 'The department system did not answer this time. You can try again.',
    tryAgain: 'Try again',
    unavailableReason: {
      peripheral: 'device not available',
      gatewayDown: 'department system under maintenance',
      identityUnavailable: 'identity check not available',
    },
    errors: {
      departmentUnavailable:
        "This department's system cannot serve right now. Please come back later or go to a staffed window.",
      codeFormat: 'The code does not have the right digits. Please check it.',
      notEligible: 'You are not eligible for this service.',
      invalidInput: 'Please check what you entered.',
      periodTooLong: 'The period is too long; choose a shorter one.',
    },
  },
}

/** The strings of one language: i18n.js's, with the catalogue screens' added (their errors merged). */
export function withCatalogueStrings(base, lang) {
  const extra = CATALOGUE_STRINGS[lang]
  return { ...base, ...extra, errors: { ...base.errors, ...extra.errors } }
}

/** A `{zh, en}` text in the current language. */
export function loc(text, lang) {
  if (!text) return ''
  return text[lang] ?? text.zh
}

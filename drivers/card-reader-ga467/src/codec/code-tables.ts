import type { Gender } from '@drivers/core'

/** §1.8 GB/T 2261.1 gender codes. */
export const GENDERS: Readonly<Record<string, { gender: Gender; zh: string }>> = {
  '0': { gender: 'unknown', zh: '未知' },
  '1': { gender: 'male', zh: '男' },
  '2': { gender: 'female', zh: '女' },
  '9': { gender: 'unspecified', zh: '未说明' },
}

export function genderFromCode(code: string): Gender {
  return GENDERS[code]?.gender ?? 'unknown'
}

export function genderCode(gender: Gender): string {
  for (const [code, entry] of Object.entries(GENDERS)) if (entry.gender === gender) return code
  throw new TypeError(`gender must be one of unknown, male, female, unspecified, got ${gender}`)
}

export function genderZh(gender: Gender): string {
  return GENDERS[genderCode(gender)]!.zh
}

/** §1.8 GB 3304 nation (民族) codes. */
export const NATIONS: Readonly<Record<string, string>> = {
  '01': '汉',
  '02': '蒙古',
  '03': '回',
  '04': '藏',
  '05': '维吾尔',
  '06': '苗',
  '07': '彝',
  '08': '壮',
  '09': '布依',
  '10': '朝鲜',
  '11': '满',
  '12': '侗',
  '13': '瑶',
  '14': '白',
  '15': '土家',
  '16': '哈尼',
  '17': '哈萨克',
  '18': '傣',
  '19': '黎',
  '20': '傈僳',
  '21': '佤',
  '22': '畲',
  '23': '高山',
  '24': '拉祜',
  '25': '水',
  '26': '东乡',
  '27': '纳西',
  '28': '景颇',
  '29': '柯尔克孜',
  '30': '土',
  '31': '达斡尔',
  '32': '仫佬',
  '33': '羌',
  '34': '布朗',
  '35': '撒拉',
  '36': '毛南',
  '37': '仡佬',
  '38': '锡伯',
  '39': '阿昌',
  '40': '普米',
  '41': '塔吉克',
  '42': '怒',
  '43': '乌孜别克',
  '44': '俄罗斯',
  '45': '鄂温克',
  '46': '德昂',
  '47': '保安',
  '48': '裕固',
  '49': '京',
  '50': '塔塔尔',
  '51': '独龙',
  '52': '鄂伦春',
  '53': '赫哲',
  '54': '门巴',
  '55': '珞巴',
  '56': '基诺',
  '97': '其他',
  '98': '外国血统中国籍人士',
}

/** An unlisted code is returned as-is, so a new table entry never loses data. */
export function nationFromCode(code: string): string {
  return NATIONS[code] ?? code
}

/** Accepts a nation name or its two-digit code. */
export function nationCode(nation: string): string {
  if (/^\d{2}$/.test(nation)) return nation
  for (const [code, name] of Object.entries(NATIONS)) if (name === nation) return code
  throw new TypeError(`nation must be a GB 3304 name or 2-digit code, got ${nation}`)
}

import type { Certificate } from './certificate.ts'

/**
 * Synthetic sample data for the demo and tests. Every person, company and number here is made up
 * (ID numbers use the 999 "test" sequence and fail nothing but reality).
 */
export const sampleCertificates: Record<Certificate['kind'], Certificate> = {
  socialInsurance: {
    kind: 'socialInsurance',
    serial: 'SB-2026-000123',
    authority: '示例市人力资源和社会保障局',
    name: '张示例',
    idNumber: '110101199001019999',
    socialSecurityNumber: 'SS0000000001',
    employer: '示例科技有限公司',
    insurances: [
      { type: '企业职工基本养老保险', since: '2015-07-01', status: '正常参保', monthsPaid: 126 },
      { type: '职工基本医疗保险', since: '2015-07-01', status: '正常参保', monthsPaid: 126 },
      { type: '失业保险', since: '2015-07-01', status: '正常参保', monthsPaid: 126 },
      { type: '工伤保险', since: '2015-07-01', status: '正常参保', monthsPaid: 126 },
    ],
    period: { from: '2015-07', to: '2025-12' },
    issuedOn: '2026-01-15',
    verificationCode: 'SB7Q2K9M4X',
  },
  taxPayment: {
    kind: 'taxPayment',
    serial: '(2026)示税证 000456',
    authority: '国家税务总局示例市税务局',
    taxpayerName: '李样本',
    taxpayerId: '110101198502029999',
    payments: [
      {
        taxType: '个人所得税',
        item: '工资薪金所得',
        period: '2025-10-01至2025-10-31',
        paidOn: '2025-11-12',
        amount: 845.6,
      },
      {
        taxType: '个人所得税',
        item: '工资薪金所得',
        period: '2025-11-01至2025-11-30',
        paidOn: '2025-12-11',
        amount: 845.6,
      },
      {
        taxType: '个人所得税',
        item: '劳务报酬所得',
        period: '2025-12-01至2025-12-31',
        paidOn: '2026-01-09',
        amount: 1280,
      },
    ],
    issuedOn: '2026-01-15',
    verificationCode: 'WS4H8N2P6R',
  },
  businessLicence: {
    kind: 'businessLicence',
    serial: 'YZ-2026-000789',
    authority: '示例市市场监督管理局',
    creditCode: '91110000MA00000000',
    companyName: '示例便民服务科技有限公司',
    companyType: '有限责任公司（自然人投资或控股）',
    legalRepresentative: '王测试',
    registeredCapital: '人民币壹佰万元整',
    establishedOn: '2020年03月18日',
    businessTerm: '2020年03月18日 至 长期',
    address: '示例省示例市示例区便民路1号示例大厦8层',
    businessScope:
      '一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；计算机系统服务；信息系统集成服务；办公设备销售。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）',
    issuedOn: '2026-01-15',
    verificationCode: 'YZ3T5V7B9C',
  },
  applicationReceipt: {
    kind: 'applicationReceipt',
    serial: 'SL-2026-001024',
    authority: '示例市示例区政务服务中心',
    applicationNumber: 'A20260115-0001024',
    matter: '城乡居民基本养老保险参保登记',
    applicant: '赵演示',
    contactPhone: '139****0000',
    acceptedAt: '2026-01-15 10:32',
    promisedBy: '2026-01-22（5个工作日）',
    materials: [
      { name: '居民身份证', copies: 1, form: '原件核验' },
      { name: '户口簿', copies: 1, form: '复印件' },
      { name: '城乡居民基本养老保险参保登记表', copies: 1, form: '原件' },
    ],
    notes: ['请凭本回执查询办理进度或领取办理结果。', '咨询电话：12345。'],
    issuedOn: '2026-01-15',
    verificationCode: 'SL8D4F6G2H',
  },
}

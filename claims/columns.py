"""The columns of a claims file: canonical English names with the usual Chinese headers as aliases
(the first alias is the template's header), the words accepted for visit type and referral, and
the template's example row with what each column allows."""

from django.utils.translation import gettext_lazy as _

from consortia.models import InsuranceType

# After the Chinese headers, the national medical-insurance platform's field codes (国家医保信息平台:
# settlement output 2207, visit 2201/2401-2402, settlement list 4101A), so a file exported from it
# imports as it is; docs/national-platform.md gives each code's source.
COLUMNS = {
    "claim_no": ("结算流水号", "结算ID", "就诊流水号", "setl_id"),
    "person_id": ("人员编号", "个人编号", "psn_no"),
    "institution_code": ("定点医药机构编号", "医疗机构编码", "机构编码", "fixmedins_code"),
    "visit_type": ("医疗类别", "就诊类型", "med_type"),
    "admitted_on": ("入院日期", "就诊日期", "adm_time", "begndate", "begntime"),
    "discharged_on": ("出院日期", "dscg_time", "enddate", "endtime"),
    "diagnosis": ("主诊断编码", "诊断编码", "diag_code", "dise_codg"),
    "dip_group": ("病种分值组编码", "DIP病种编码", "dip_code"),
    "dip_score": ("病种分值", "DIP分值"),
    "total_cost": ("医疗费总额", "总费用", "medfee_sumamt"),
    "policy_cost": ("政策范围内费用", "符合范围金额", "符合政策范围金额", "inscp_scp_amt"),
    "self_pay_full": ("全自费金额", "全自费", "fulamt_ownpay_amt"),
    "co_pay": ("个人自付", "先行自付金额", "preselfpay_amt"),
    "fund_paid": ("统筹基金支付", "基金支付", "基本医疗保险统筹基金支出", "hifp_pay"),
    "drug_cost": ("药品费", "西药费"),
    "antibiotic_cost": ("抗菌药物费", "抗生素费"),
    "referral_no": ("转诊单号",),
    "referral_direction": ("转诊方向",),
    "settled_on": ("结算日期", "结算时间", "setl_time"),
    "insurance_type": ("险种类型", "险种", "insutype"),
    "visit_id": ("就诊ID", "mdtrt_id"),
    "fund_pay_total": ("基金支付总额", "fund_pay_sumamt"),
}
OPTIONAL = {"visit_id", "insurance_type", "fund_pay_total", "discharged_on", "diagnosis", "dip_group", "dip_score", "referral_no", "referral_direction",
            "drug_cost", "antibiotic_cost"}
DATE_COLUMNS = ("admitted_on", "discharged_on", "settled_on")
MONEY_COLUMNS = ("total_cost", "policy_cost", "self_pay_full", "co_pay", "fund_paid", "drug_cost", "antibiotic_cost",
                 "fund_pay_total")
NULLABLE = {"fund_pay_total"}  # left empty: not known (the other optional amounts: 0.00)
VISIT_TYPES = {"inpatient": "inpatient", "住院": "inpatient", "outpatient": "outpatient", "门诊": "outpatient",
               "普通门诊": "outpatient", "chronic": "chronic", "门特": "chronic", "门诊特殊病": "chronic",
               "门诊慢特病": "chronic",
               # The platform's 医疗类别 (med_type) codes, the national ones only: a province's own
               # extensions (99xx and the like) are refused by name rather than guessed.
               "11": "outpatient", "12": "outpatient", "13": "outpatient", "14": "chronic",
               "21": "inpatient", "22": "inpatient", "23": "inpatient", "24": "inpatient",
               "41": "outpatient", "51": "outpatient", "52": "inpatient"}
# 险种类型 (insutype): the national codes, and their names as a clerk writes them. A claim without one
# (no such column, or the cell left empty) is of the residents' insurance (390), the package's.
INSURANCE_TYPES = {"": "390"} | {code: code for code in InsuranceType.values} | {
    "职工基本医疗保险": "310", "职工医保": "310", "公务员医疗补助": "320", "大额医疗费用补助": "330",
    "离休人员医疗保障": "340", "城乡居民基本医疗保险": "390", "城乡居民医保": "390", "居民医保": "390",
    "城镇居民基本医疗保险": "391", "城乡居民大病医疗保险": "392", "其他特殊人员医疗保障": "399", "生育保险": "510"}
REFERRALS = {"": "", "up": "up", "上转": "up", "down": "down", "下转": "down", "out_of_county": "out_of_county",
             "转县外": "out_of_county", "县外转诊": "out_of_county", "out_of_city": "out_of_city",
             "转市外": "out_of_city", "市外转诊": "out_of_city"}

# The template's example row: the importer recognises it by its claim number and skips it, so a
# clerk who leaves it in imports only the real rows.
EXAMPLE_CLAIM_NO = "示例-导入时跳过"
EXAMPLE = {
    "claim_no": EXAMPLE_CLAIM_NO, "person_id": "34102100000012345", "institution_code": "H34102100001",
    "visit_type": "住院", "admitted_on": "2025-03-02", "discharged_on": "2025-03-09", "diagnosis": "J18.900",
    "dip_group": "", "dip_score": "", "total_cost": "8650.40", "policy_cost": "7980.00", "self_pay_full": "120.40",
    "co_pay": "1595.00", "fund_paid": "6935.00", "drug_cost": "2310.15", "antibiotic_cost": "480.00",
    "referral_no": "", "referral_direction": "", "settled_on": "2025-03-09", "insurance_type": "城乡居民基本医疗保险",
    "visit_id": "", "fund_pay_total": "6935.00",
}
DATE_RULE = _("a date, written 2025-03-31")
MONEY_RULE = _("yuan with at most two decimals, e.g. 8650.40")
ALLOWED = {
    "claim_no": _("the settlement system's number, unique in the county; at most 40 characters"),
    "visit_id": _("the platform's visit number (mdtrt_id), kept to find the visit; at most 40 characters"),
    "person_id": _("the insured person's number; at most 40 characters"),
    "insurance_type": _("390 城乡居民, 310 职工 or another national 险种类型 code (or its name); left empty, "
                        "or without this column, a claim is 390"),
    "institution_code": _("the institution's code as in the institution registry"),
    "visit_type": _("住院, 门诊 or 门特 (门诊慢特病), or the national platform's 医疗类别 code (11, 14, 21…)"),
    "admitted_on": DATE_RULE, "discharged_on": DATE_RULE, "settled_on": DATE_RULE,
    "diagnosis": _("the ICD-10 code of the main diagnosis"),
    "dip_group": _("the DIP group code (DIP counties only)"),
    "dip_score": _("the DIP group's score, a number (DIP counties only)"),
    "total_cost": MONEY_RULE, "policy_cost": MONEY_RULE, "self_pay_full": MONEY_RULE, "co_pay": MONEY_RULE,
    "fund_paid": _("yuan, no more than the total cost"), "drug_cost": MONEY_RULE, "antibiotic_cost": MONEY_RULE,
    "fund_pay_total": _("yuan, every fund's part together (pooled, critical illness, assistance…): at least the "
                        "fund paid, at most the total cost; used by the reconciliation"),
    "referral_no": _("the referral slip's number, if referred"),
    "referral_direction": _("empty, 上转, 下转, 转县外 or 转市外"),
}

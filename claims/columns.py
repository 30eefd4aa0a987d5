"""The columns of a claims file: canonical English names with the usual Chinese headers as aliases
(the first alias is the template's), and the words accepted for visit type and referral."""

COLUMNS = {
    "claim_no": ("结算流水号", "结算ID", "就诊流水号"),
    "person_id": ("人员编号", "个人编号"),
    "institution_code": ("定点医药机构编号", "医疗机构编码", "机构编码"),
    "visit_type": ("医疗类别", "就诊类型"),
    "admitted_on": ("入院日期", "就诊日期"),
    "discharged_on": ("出院日期",),
    "diagnosis": ("主诊断编码", "诊断编码"),
    "dip_group": ("病种分值组编码", "DIP病种编码"),
    "dip_score": ("病种分值", "DIP分值"),
    "total_cost": ("医疗费总额", "总费用"),
    "policy_cost": ("政策范围内费用", "符合范围金额"),
    "self_pay_full": ("全自费金额", "全自费"),
    "co_pay": ("个人自付", "先行自付金额"),
    "fund_paid": ("统筹基金支付", "基金支付"),
    "drug_cost": ("药品费", "西药费"),
    "antibiotic_cost": ("抗菌药物费", "抗生素费"),
    "referral_no": ("转诊单号",),
    "referral_direction": ("转诊方向",),
    "settled_on": ("结算日期",),
}
OPTIONAL = {"discharged_on", "diagnosis", "dip_group", "dip_score", "referral_no", "referral_direction",
            "drug_cost", "antibiotic_cost"}
MONEY_COLUMNS = ("total_cost", "policy_cost", "self_pay_full", "co_pay", "fund_paid", "drug_cost", "antibiotic_cost")
VISIT_TYPES = {"inpatient": "inpatient", "住院": "inpatient", "outpatient": "outpatient", "门诊": "outpatient",
               "普通门诊": "outpatient", "chronic": "chronic", "门特": "chronic", "门诊特殊病": "chronic",
               "门诊慢特病": "chronic"}
REFERRALS = {"": "", "up": "up", "上转": "up", "down": "down", "下转": "down", "out_of_county": "out_of_county",
             "转县外": "out_of_county", "县外转诊": "out_of_county", "out_of_city": "out_of_city",
             "转市外": "out_of_city", "市外转诊": "out_of_city"}

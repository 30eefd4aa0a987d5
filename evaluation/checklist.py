"""Annex 2 of 粤医保发〔2019〕25号, 紧密型县域医共体医疗保障监管与绩效评价清单 (E1), in the document's
own words: three sections, 17 items. The first template version is made from this; later versions
are edited in the admin without touching past evaluations.

Default weights make 100 points: 5 for each of items 1-12, 8 for each of the performance items
13-17. `computed` names the figure that pre-fills an item from the data (see indicators.py)."""

from decimal import Decimal

CODE = "gd-2019-annex2"
TITLE = "紧密型县域医共体医疗保障监管与绩效评价清单"
SOURCE = "粤医保发〔2019〕25号 附件2（市、县级医疗保障部门）"
SECTIONS = {1: "医共体建设监测情况", 2: "医共体医保服务管理情况", 3: "医共体医保绩效评价"}

ITEMS = [
    (1, 1, "建设人、财、物实现统一的紧密型医共体。", ""),
    (2, 1, "建立和完善双向转诊机制，开通异地就医绿色通道。", ""),
    (3, 1, "根据《关于印发广东省基本医疗保险按病种分值付费基层病种参考范围的通知》（粤医保发〔2018〕3号）中确定的"
           "诊疗技术较为简易、适合基层医疗机构广泛开展的500个病种，确定本地基层病种，并制订统一分值，制定适合的基层医疗机构"
           "开展的病种。", ""),
    (4, 1, "加强镇村一体化建设，参保人在村卫生站门诊就医时，医保实时报销，实现小病不出村。", ""),
    (5, 1, "建立高值医用耗材合理使用办法。", ""),
    (6, 2, "纳入医保服务协议管理。", ""),
    (7, 2, "加强医保基金预算管理，医保基金实行预拨制度，年底及时清算。", ""),
    (8, 2, "全面推行以按病种分值付费为主的多元复合式医保支付方式。", ""),
    (9, 2, "规范异地转诊医保报销比例。参保人因病情需要向县外、市外进行异地转诊时，要按规定办理相关转诊手续。按规定办理相关"
           "转诊手续的参保人，可连续计算起付线，不降低相应级别医疗机构政策范围住院支付比例。医保对未经转诊自行到县外、市外"
           "就医的参保人，降低相应级别医疗机构政策范围住院支付比例。", ""),
    (10, 2, "医共体按国家、省的统一部署，动态调整医疗服务价格。", ""),
    (11, 2, "支持医共体在药品采购平台以医共体为单位自行议价。", ""),
    (12, 2, "由医共体牵头单位统一按规定及时支付医药生产企业采购费用。", ""),
    (13, 3, "支持家庭医生签约服务，提高家庭医生签约率。明确乡村医生参与家庭医生签约服务团队，明确乡村医生负责的家庭医生签约"
            "服务具体内容和签约服务费用分配。", "family_doctor_rate"),
    (14, 3, "县域内基本医疗保险参保人住院率提升。", "in_county_inpatient_share"),
    (15, 3, "年度内未发生医保骗保事件。", "fraud_cases"),
    (16, 3, "年度内未收到推诿病人的投诉。", "refusal_complaints"),
    (17, 3, "强化医保绩效评价，并将医共体的绩效评价结果与医保支付挂钩。", ""),
]


def default_weight(number: int) -> Decimal:
    return Decimal("5.00") if number <= 12 else Decimal("8.00")

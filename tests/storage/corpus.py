"""Small hand-written news texts for the storage tests (not taken from any data set)."""

from __future__ import annotations

FLOOD = (
    "7月20日，河南省郑州市遭遇特大暴雨，城区多处出现严重内涝，地铁5号线一列列车被困。\n"
    "郑州市防汛抗旱指挥部当晚将防汛应急响应提升至Ⅰ级，消防救援人员连夜转移被困群众。\n"
    "气象部门表示，此次降雨过程持续时间长、累计雨量大，郑州单日降雨量突破历史纪录。\n"
    "河南省委书记表示，要把保障人民群众生命安全放在第一位，全力做好抢险救灾工作。"
)
FLOOD_FOLLOWUP = (
    "7月22日，郑州市区积水逐步消退，地铁5号线被困乘客的遇难者名单开始公布。\n"
    "河南省防汛抗旱指挥部通报，全省受灾人口超过三百万，郑州等地的救灾物资正在调运。\n"
    "专家指出，郑州特大暴雨暴露出城市排水系统和应急预警机制的短板，需要系统评估。"
)
LAUNCH = (
    "10月16日凌晨，神舟十三号载人飞船在酒泉卫星发射中心成功发射，三名航天员进入太空。\n"
    "翟志刚、王亚平、叶光富将在中国空间站工作生活六个月，开展多项科学实验。\n"
    "中国载人航天工程办公室表示，这是空间站关键技术验证阶段的最后一次载人飞行。"
)
LAUNCH_FOLLOWUP = (
    "神舟十三号航天员乘组在中国空间站开展了首次出舱活动，翟志刚和王亚平先后出舱。\n"
    "叶光富在核心舱内配合支持，出舱活动持续约六个半小时，圆满完成全部既定任务。\n"
    "中国载人航天工程办公室表示，此次出舱验证了航天员与机械臂协同工作的能力。"
)
LAUNCH_RETRO = (
    "回顾神舟十三号任务：翟志刚、王亚平、叶光富在中国空间站驻留六个月，完成两次出舱活动。\n"
    "航天员乘组在轨期间开展了天宫课堂太空授课，并验证了空间站长期驻留的关键技术。\n"
    "中国载人航天工程办公室表示，这些经验为后续的空间站建造和运营打下了基础。"
)
MARKET = (
    "国家统计局发布数据显示，三季度国内生产总值同比增长百分之四点九，消费持续恢复。\n"
    "社会消费品零售总额增长较快，服务业生产指数回升，制造业投资保持稳定增长态势。\n"
    "分析人士认为，随着一揽子政策措施落地见效，经济运行有望继续回升向好。"
)


def republish(text: str) -> str:
    """A republished copy: new header and footer lines, one character changed."""
    body = text.replace("，", ",", 1)
    return "来源：某某新闻网\n" + body + "\n责任编辑：王小明"


# Two unrelated stories that share a place and everyday news words (上海, 宣布, 表示).
BASKETBALL = (
    "上海队以四分优势战胜苏州队晋级八强，但苏州队在比赛最后两分钟连续出现离奇失误。\n"
    "中国篮协随后宣布介入调查，将调取比赛录像并约谈两队教练和相关球员。\n"
    "苏州队总经理表示俱乐部将全力配合调查，上海的球迷则在社交媒体上要求公布真相。"
)
COOPERATION = (
    "上海与云南扶贫协作联席会议在文山州召开，两地宣布新增十二个产业合作项目。\n"
    "会议表示，上海将继续组织消费扶贫，帮助当地特色农产品进入长三角市场。\n"
    "云南有关负责人介绍了今年脱贫攻坚的进展，以及对口帮扶资金的使用情况。"
)

# English: two reports of one storm and a recipe; they share only function words.
STORM = (
    "Storm Ciaran brought winds of more than 100 miles per hour to the coast of Cornwall, "
    "and thousands of homes lost power overnight.\n"
    "The Met Office issued a red warning, and you could see trees down across the county."
)
STORM_FOLLOWUP = (
    "Engineers restored power to most homes in Cornwall after Storm Ciaran, the network "
    "operator said.\n"
    "The Met Office lifted its red warning, but you should still expect fallen trees."
)
RECIPE = (
    "This pear jam is so easy that you will want to make an extra jar for yourself.\n"
    "You can keep the jars in a cool cupboard, and they make a lovely gift for the holidays."
)

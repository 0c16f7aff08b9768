"""Shared bits of the digest/feed end-to-end tests: a movable clock and news pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.subscriptions import utcnow


class Clock:
    """The digest clock the tests move: real time plus an offset that ``advance`` grows
    (the request log that records shared stories uses the real time)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    @property
    def now(self) -> datetime:
        return utcnow() + self.offset

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


RATE_CUT = [
    "中国人民银行12月5日宣布，决定于12月15日下调金融机构存款准备金率0.5个百分点。",
    "此次降准共计释放长期资金约1万亿元，将进一步增强金融机构资金配置能力。",
    "中国人民银行有关负责人表示，稳健的货币政策要灵活适度、精准有效，保持流动性合理充裕。",
    "市场人士认为，降准有助于降低银行资金成本，支持实体经济特别是小微企业融资。",
]
TYPHOON = [
    "今年第11号台风“摩羯”于9月6日16时20分前后在海南省文昌市沿海登陆，登陆时中心附近最大风力17级。",
    "海南省防汛防风防旱总指挥部将防风Ⅰ级应急响应维持不变，全省中小学停课，航班和轮渡全部停运。",
    "应急管理部派出工作组赶赴海南指导防汛救灾，国家电网组织抢修队伍待命。",
    "气象专家提醒，台风将继续向西北方向移动，广东、广西南部沿海有大到暴雨。",
]
CHIPS = [
    "华为在深圳举行新品发布会，发布了搭载自研芯片的新一代智能手机和平板电脑。",
    "华为常务董事余承东在发布会上介绍，新机在影像和续航方面均有明显提升。",
    "分析机构Counterpoint认为，华为在国内高端手机市场的份额有望继续回升。",
    "发布会后，多家电商平台的预约人数在数小时内突破百万，部分型号一度售罄。",
]


def article_html(title: str, paragraphs: list[str], *, source: str = "新华网") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}_{source}</title></head><body>"
        f"<article><h1>{title}</h1><div class='info'>2024-12-05 08:00 来源：{source}</div>"
        f"{body}</article></body></html>"
    )


TOPICS = [
    "地铁新线开通运营，全长三十二公里，设车站二十四座，日均客流预计超过四十万人次。",
    "秋季粮食收购全面启动，粮库延长收购时间，农民售粮排队时间明显缩短。",
    "博物馆推出宋代书画特展，展出作品一百二十件，其中多件为首次公开亮相。",
    "马拉松赛鸣枪开跑，三万名选手参赛，男子组冠军成绩刷新赛会纪录。",
    "新能源汽车产量同比增长四成，动力电池企业加快扩产，出口订单排到明年。",
    "暴雪导致高速公路部分路段封闭，交通部门调派除雪车辆连夜作业。",
    "高校毕业生招聘会吸引八百家企业参加，提供岗位两万余个，人工智能岗位最热门。",
    "老旧小区改造加装电梯一千部，居民出行难问题得到缓解，社区养老服务同步升级。",
    "港口集装箱吞吐量创历史新高，中欧班列开行数量增长，跨境电商包裹量翻番。",
    "医院开通互联网诊疗服务，慢性病患者可在线复诊，药品配送到家。",
    "森林公园发现国家一级保护动物野生种群，红外相机拍到母兽带崽画面。",
    "文旅部门发放消费券五千万元，景区门票和酒店住宿享受折扣，假日游客量大增。",
    "航天发射场成功发射一颗遥感卫星，卫星顺利进入预定轨道，任务获得圆满成功。",
    "法院审结一起特大电信诈骗案，追回被骗资金三千余万元，主犯被判处无期徒刑。",
    "科研团队在量子通信领域取得突破，实现千公里级光纤量子密钥分发。",
]
CITIES = [
    "成都",
    "杭州",
    "武汉",
    "西安",
    "南京",
    "长沙",
    "郑州",
    "沈阳",
    "昆明",
    "福州",
    "济南",
    "合肥",
    "南宁",
    "兰州",
    "贵阳",
]


def feed_items(stop: int, start: int = 0) -> list[tuple[str, str, str]]:
    """Feed items ``start..stop-1``, newest first; items 35+ each carry their own story."""
    found = []
    for i in range(stop - 1, start - 1, -1):
        k = (i - 35) % len(TOPICS)
        city = CITIES[k]
        body = "\n".join(
            [
                f"据{city}日报报道，{city}{TOPICS[k]}",
                f"{city}市有关部门负责人在接受采访时介绍了第{i}号工作进展，相关情况还在持续更新。",
                f"这一消息引起{city}市民关注。",
            ]
        )
        found.append((f"item-{i}", f"{city}：{TOPICS[k][:14]}", body))
    return found

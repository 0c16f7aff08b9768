"""Shared bits of the digest/feed end-to-end tests: a movable clock and news pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.subscriptions import utcnow


class Clock:
    """The digest clock the tests move; starts at the real time (the request log is real)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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

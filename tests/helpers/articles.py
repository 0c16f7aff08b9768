"""Small news articles the bot tests read: pasted, or served as pages by the page server."""

from __future__ import annotations


def article_html(title: str, paragraphs: list[str], *, date: str = "2024-03-01 08:00") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}_测试网</title></head><body>"
        f"<article><h1>{title}</h1><div class='info'>{date} 来源：测试日报</div>{body}"
        "</article></body></html>"
    )


NEWS = [
    "国家统计局3月1日发布数据显示，2月份全国居民消费价格同比上涨0.7%，环比上涨1.0%。",
    "国家统计局城市司首席统计师董莉娟解读称，受春节因素影响，食品和服务价格上涨较多。",
    "专家表示，随着节日效应消退，预计3月份物价将保持温和上涨态势，市场供应总体充足。",
    "北京、上海、广州等地的超市负责人表示，节后蔬菜、水果价格已开始回落，货源稳定。",
]
PRICES = [
    "国家统计局10日发布数据，1月份全国居民消费价格同比上涨，食品价格涨幅扩大。",
    "国家统计局城市司首席统计师董莉娟表示，物价总体保持温和，春节前蔬菜价格上涨明显。",
    "分析人士认为，居民消费价格将在节后回落，全年物价运行在合理区间。",
]

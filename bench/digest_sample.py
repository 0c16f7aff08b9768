"""Print a sample group digest made by the real pipeline (analyze -> ArticleRepository ->
DigestService.compose_for with summarizer.summarize), for bench/results/digest_sample.md.

Run: PYTHONPATH=. python bench/digest_sample.py
"""

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from bot.digests.delivery import DigestService
from bot.digests.runtime import one_sentence
from storage import connect
from storage.articles import ArticleRepository
from storage.subscriptions import DigestLog, SubscriptionRepository, utcnow
from summarizer.analyze import analyze
from summarizer.model import Article
from tests.helpers.digests import CHIPS, RATE_CUT, TOPICS, TYPHOON
from tests.helpers.telegram_html import parse_html


async def main():
    d = tempfile.mkdtemp()
    db = await connect(Path(d) / "s.db")
    arts = ArticleRepository(db)
    subs = SubscriptionRepository(db)
    chat = -1001
    start = utcnow() - timedelta(hours=24)
    await subs.ensure(chat, "group", title="新闻群")
    # pretend the previous digest was yesterday
    await subs.mark_digest_done(chat, start)
    items = [
        (
            "央行下调存款准备金率0.5个百分点",
            RATE_CUT,
            "新华网",
            "https://www.news.cn/fortune/20241205/a.html",
        ),
        (
            "央行宣布降准 释放长期资金约1万亿元",
            RATE_CUT,
            "人民网",
            "http://finance.people.com.cn/n1/2024/1205/b.html",
        ),
        (
            "降准0.5个百分点！央行最新宣布",
            RATE_CUT,
            "澎湃新闻",
            "https://www.thepaper.cn/newsDetail_forward_1",
        ),
        (
            "台风“摩羯”在海南文昌登陆",
            TYPHOON,
            "中国新闻网",
            "https://www.chinanews.com.cn/sh/2024/09-06/1.shtml",
        ),
        (
            "台风“摩羯”过境 海南全力抢修电力设施",
            [
                "台风“摩羯”过境后，海南省文昌市、海口市多地出现停电，国家电网海南电力公司组织抢修队伍连夜作业。",
                "海南省防汛防风防旱总指挥部表示，全省中小学继续停课，航班和轮渡将视天气情况逐步恢复。",
                "应急管理部工作组在文昌市查看灾情，指导开展救灾和群众转移安置工作。",
                "气象部门预计，受台风残余环流影响，广东、广西南部沿海仍有大到暴雨。",
            ],
            "海南日报",
            "http://www.hinews.cn/news/system/2024/09/07/1.shtml",
        ),
        (
            "华为发布新款手机 搭载自研芯片",
            CHIPS,
            "央视新闻",
            "https://news.cctv.com/2024/12/05/c.shtml",
        ),
        (
            "遥感卫星发射成功 进入预定轨道",
            [
                "据深圳特区报报道，" + TOPICS[12],
                "发射任务由中国航天科技集团有限公司组织实施，卫星主要用于国土资源普查和防灾减灾。",
            ],
            "深圳特区报",
            "https://www.sznews.com/n/1.htm",
        ),
    ]
    for i, (title, paras, source, url) in enumerate(items):
        a = Article(title=title, text="\n".join(paras), url=url, source=source, published_at=None)
        saved = await arts.save(analyze(a))
        await subs.record_story(chat, saved.article_id, at=start + timedelta(hours=2 + i))
    svc = DigestService(subs, DigestLog(db), arts, one_sentence)
    sub = await subs.get(chat)
    composed = await svc.compose_for(sub, utcnow())
    for html in composed.messages:
        print("HTML:")
        print(html)
        print("SHOWN:")
        print(parse_html(html)[0])
    await db.close()


asyncio.run(main())

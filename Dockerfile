# CPU image without PyTorch (the NER model runs on onnxruntime): non-root user, SQLite
# database on a volume, `zhaiyao run` as the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ZHAIYAO_DB=/data/zhaiyao.db HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

RUN useradd --create-home --uid 10001 zhaiyao \
 && mkdir /data && chown zhaiyao /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY summarizer summarizer
COPY storage storage
COPY bot bot
RUN pip install .

USER zhaiyao
# jieba's parsed tables cached in the image (~/.cache/zhaiyao): each start reads them whole
RUN python -c "from summarizer.tokenize import load_tables; load_tables()"
VOLUME ["/data"]
CMD ["zhaiyao", "run"]

"""Synthetic Chinese party-building prose for tests, the bench and the demo: same topic, same stock
words, so unrelated texts share vocabulary (as real applications do) but not sentences.

Not used by the checker itself."""

import random

WORDS = (
    "党建 引领 支部 党员 教师 学生 科研 育人 服务 基层 组织 品牌 特色 创建 工作 机制 平台 团队 实践 理论 "
    "学习 教育 主题 活动 思想 政治 业务 融合 发展 推进 落实 制度 规范 标准 示范 先锋 模范 作用 堡垒 战斗 "
    "青年 骨干 书记 双带头人 工作室 课题 项目 成果 转化 社会 乡村 振兴 志愿 社区 企业 校地 合作 共建 联建 "
    "课程 思政 实验室 创新 创业 竞赛 导师 宿舍 网络 阵地 宣传 文化 传承 红色 基因 精神 榜样 典型 经验 做法 "
    "成效 质量 考核 评价 督导 问题 整改 清单 责任 任务 目标 计划 方案 措施 保障 经费 场地 队伍 能力 水平 "
    "攻关 技术 服务站 讲堂 读书会 微党课 调研 走访 座谈 帮扶 结对 专业 学科 建设 人才 培养 毕业 就业 安全 "
    "矿山 机械 智能 制造 数据 信息 马克思主义 研究 传播 宣讲 理想 信念 初心 使命 担当 作为 奉献 服务型 学习型"
).split()
CONNECTORS = ["，", "，", "，", "、", "，并", "，通过", "，围绕", "，坚持", "，推动", "，着力"]


def sentence(rng, words=None):
    words = words or WORDS
    parts = []
    for _ in range(rng.randint(3, 5)):
        parts.append("".join(rng.choice(words) for _ in range(rng.randint(2, 4))))
    out = parts[0]
    for p in parts[1:]:
        out += rng.choice(CONNECTORS) + p
    return out + "。"


def paragraph(rng, sentences=6):
    return "".join(sentence(rng) for _ in range(sentences))


def text(seed, chars=5000):
    """A text of about `chars` characters in paragraphs of ~6 sentences, the same for the same seed."""
    rng = random.Random(seed)
    paras = []
    total = 0
    while total < chars:
        p = paragraph(rng)
        paras.append(p)
        total += len(p) + 1
    return "\n".join(paras)[:chars]


def split_sentences(para):
    return [s + "。" for s in para.split("。") if s]

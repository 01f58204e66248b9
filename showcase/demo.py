"""Demo showcase content, added by `seed_demo --phase 4` (registered with organizations.demo).

Runs after the submissions seeder: at phase 4 every demo brand is accepted and gets the richer
texts, logo, photos and micro-video below. Idempotent: files are added only where missing,
items are re-picked (snapshot refreshed) and published again (a no-op when nothing changed)."""

import datetime as dt
import io
import shutil
import subprocess
import tempfile

from django.core.files.base import ContentFile

from campaigns.models import Campaign
from campaigns.services import create_campaign
from organizations.models import User
from submissions.models import Attachment, Entry, Form1, Form2, Form2Row, Outcome

from . import services
from .models import Award, ShowcaseItem

# college code: (brand, slogan, 内涵, 举措 (lines), case title, case text, award, color)
BRANDS = {
    "JX": ("匠心铸魂", "以匠心育人 以实干兴院", "以“大国工匠”精神为引领，把党支部建在教研室和创新团队上，推动党建与人才培养、科研攻关深度融合，形成“一支部一团队一攻关”的工作格局。",
           "党员教师领衔“匠心工作室”\n“双带头人”书记工作室全覆盖\n党员先锋岗进实验室\n校企党建联建共建", "党员突击队攻克智能采煤机关键部件难题",
           "学院智能制造系教工党支部组建党员攻关突击队，联合企业党组织开展联合攻关，半年内完成关键部件国产化，相关成果获省科技进步奖。支部把“攻关一线”作为党员教育的主课堂，把技术难题作为党员承诺的主内容。", "brand_top10", (165, 15, 20)),
    "KY": ("安全守护", "守护生命 安全至上", "立足资源与安全学科特色，以“安全守护”为主题，组织师生党员深入矿区开展安全宣讲和技术服务，把党的组织优势转化为服务行业发展的实际成效。",
           "矿区安全宣讲团\n师生党员“下矿井”实践\n安全技术服务队", "“安全守护”宣讲团走进二十座矿山",
           "宣讲团由教工党员和研究生党员组成，一年内走进二十座矿山，开展安全知识宣讲六十余场，覆盖一线职工五千余人次。", "", (20, 90, 160)),
    "CL": ("炉火淬金", "百炼成钢 淬火成金", "以冶金“淬火”为喻，锤炼党员教师的政治品格和业务能力，推动党建工作与学科建设同频共振。",
           "“淬火课堂”理论学习\n党员教师结对青年教师\n学科竞赛党员导师制", "党员导师带领学生团队获全国冶金竞赛特等奖",
           "支部推行学科竞赛党员导师制，十二名党员教师担任导师，指导学生团队获全国冶金科技竞赛特等奖两项。", "brand_top10", (200, 110, 20)),
    "JS": ("数智红芯", "红心向党 数智赋能", "以“红芯”为核心意象，打造“党建+数字化”工作模式，建设智慧党建平台，推动党员教育管理数字化。",
           "智慧党建平台建设\n“红芯”网络文化工作室\n党员技术骨干服务社区数字化", "“红芯”服务队助力社区老人跨越数字鸿沟",
           "学生党员组建“红芯”服务队，每周走进社区，为老人讲解智能手机使用，累计服务两千余人次，获评市优秀志愿服务项目。", "", (120, 20, 120)),
    "MY": ("铸魂课堂", "讲好思政课 铸牢信仰魂", "以思政课教学改革为牵引，打造“大思政课”品牌，推动党的创新理论进教材、进课堂、进头脑。",
           "集体备课“铸魂工作坊”\n“行走的思政课”实践教学\n青年理论宣讲团", "“行走的思政课”把课堂搬到红色基地",
           "教研室党支部联合地方红色场馆开发实践教学线路八条，每学期带领学生开展现场教学，学生满意度达百分之九十八。", "", (180, 40, 40)),
    "WY": ("译路同行", "用外语讲好中国故事", "发挥外语学科优势，组织师生党员翻译红色经典、服务国际交流，在对外传播中坚定文化自信。",
           "红色经典多语种翻译\n国际赛会语言志愿服务\n“中国故事”外语宣讲", "师生党员完成红色经典外译二十万字",
           "翻译实践师生联合党支部组织党员完成红色经典外译二十万字，成果被地方外宣平台采用。", "", (20, 130, 110)),
}
# branch code: (特色名称, 简介, 载体)
BRANCHES = {
    "JX-JG1": ("实验室先锋岗", "把党员先锋岗设在实验室，党员教师带头开放实验资源、指导学生创新。", "党员先锋岗\n实验室开放日\n创新项目指导"),
    "JX-BK1": ("朋辈领航", "学生党员与低年级学生结对，在学业、生活、思想上全面引领。", "“一对一”朋辈结对\n学业帮扶小组"),
    "KY-JG1": ("井下课堂", "党员教师带领学生下矿井开展现场教学，把思政元素融入专业实践。", "现场教学\n企业导师进课堂"),
    "KY-LH": ("智矿先锋", "师生联合党支部围绕矿山智能化开展联合攻关。", "师生联合攻关\n企业联建"),
    "JS-BK1": ("代码为民", "学生党员用编程技能服务社区与公益组织。", "公益开发项目\n社区数字化服务"),
    "MY-JG1": ("理论轻骑兵", "教工党员组建理论宣讲轻骑兵，深入基层宣讲党的创新理论。", "基层宣讲\n网络微党课"),
    "LT-LT5": ("银发智囊", "老教授党员发挥专长，为青年教师成长和学科建设建言献策。", "青年教师导师\n教学督导"),
}
BRANCH_AWARDS = {"JX-JG1": Award.BRANCH_TOP10, "KY-LH": Award.BRANCH_TOP10}
PREVIOUS_YEAR = {"JX": ("匠心筑梦", "匠心筑梦 技能报国"), "JS": ("网络红星", "红星闪闪 网络清朗"), "LT": ("夕阳红先锋", "老有所为 银发生辉")}
UNPUBLISHED = {"WY"}  # picked but not published: shows the preview


def _image(text, color, size=(640, 480)):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", size[1] // 8)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle([0, size[1] * 0.62, size[0], size[1] * 0.8], fill=(255, 255, 255))
    draw.text((size[0] * 0.06, size[1] * 0.63), text, fill=color, font=font)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _logo(text, color):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (240, 240), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.ellipse([10, 10, 230, 230], fill=color)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 110)
    except OSError:
        font = ImageFont.load_default()
    draw.text((120, 120), text[:1], fill=(255, 255, 255), font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _video(color):
    """A 6-second H.264 clip (ffmpeg test pattern), or None without ffmpeg."""
    if not shutil.which("ffmpeg"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/v.mp4"
        hexcolor = "0x%02x%02x%02x" % color
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                        f"testsrc=size=640x360:rate=25,drawbox=x=0:y=250:w=640:h=110:color={hexcolor}@0.8:t=fill",
                        "-t", "6", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart", out],
                       check=True, timeout=120)
        with open(out, "rb") as fh:
            return fh.read()


def _attachment(org, kind, name, data, caption="", **extra):
    a = Attachment(organization=org, kind=kind, original_name=name, size=len(data), caption=caption, **extra)
    a.file.save(name, ContentFile(data), save=False)
    a.save()
    return a


def _brand_sources(campaign, college, spec, with_media):
    brand, slogan, connotation, measures, case_title, case_text, _award, color = spec
    f1, _ = Form1.objects.get_or_create(campaign=campaign, organization=college)
    f1.brand_name, f1.slogan, f1.connotation, f1.measures = brand, slogan, connotation, measures
    f1.expected_results = "形成一套可复制可推广的党建工作经验，打造具有示范效应的党建品牌。"
    f1.logo_meaning = f"LOGO以“{brand[0]}”字为核心，红色象征党建引领。"
    f1.state = "accepted"
    if not f1.logo:
        f1.logo.save(f"logo-{college.code}.png", ContentFile(_logo(brand, color)), save=False)
    f1.save()
    entry, _ = Entry.objects.get_or_create(campaign=campaign, track="brand", organization=college,
                                           defaults={"college": college})
    entry.title, entry.state = brand, "passed"
    if not entry.overview.startswith(brand):
        entry.overview = (f"{brand}：创建以来，{college.name}坚持把品牌创建与中心工作同谋划、同部署、同考核，"
                          "形成了制度化、常态化的工作机制，党员先锋模范作用充分发挥，师生满意度持续提升。")
    if with_media and entry.video_id is None:
        video = _video(color)
        if video:
            entry.video = _attachment(college, "mp4", f"{brand}微视频.mp4", video, duration_seconds=6.0,
                                      width=640, height=360, video_codec="h264")
    entry.save()
    if with_media and not entry.evidence.filter(kind__in=["jpeg", "png"]).exists():
        for i, caption in enumerate(["主题党日活动现场", "党员先锋岗挂牌", "师生党员志愿服务"]):
            entry.evidence.add(_attachment(college, "jpeg", f"photo-{college.code}-{i}.jpg",
                                           _image(caption, color), caption=caption))
    for kind, title, text, month in (("case", case_title, case_text, 9),
                                     ("method", f"“{brand}”工作法",
                                      f"“{brand}”工作法概括为“三个一”：一个支部一个特色，一名党员一面旗帜，一项任务一个承诺。", 10),
                                     ("activity", "“三会一课”示范观摩会", "", 6)):
        Outcome.objects.get_or_create(campaign=campaign, organization=college, title=title, defaults={
            "outcome_type": kind, "date": dt.date(campaign.year, month, 20), "description": text})


def seed(campaign, phase, orgs, users):
    if phase < 4:
        return
    admin = users.get("zzb_admin") or User.objects.get(username="zzb_admin")
    previous = Campaign.objects.filter(year=campaign.year - 1).first() or create_campaign(campaign.year - 1)
    items = []
    for code, spec in BRANDS.items():
        _brand_sources(campaign, orgs[code], spec, with_media=True)
        item = services.pick(campaign, orgs[code], "brand", by=admin)
        if code not in UNPUBLISHED:
            services.publish(item, by=admin, award=spec[6])
        items.append(item)
    for code, (name, intro, carriers) in BRANCHES.items():
        branch = orgs[code]
        form2, _ = Form2.objects.get_or_create(campaign=campaign, organization=branch.parent)
        Form2Row.objects.get_or_create(form=form2, branch=branch, defaults={
            "feature_name": name, "feature_intro": intro, "carriers": carriers, "state": "submitted"})
        item = services.pick(campaign, branch, "branch", by=admin)
        services.publish(item, by=admin, award=BRANCH_AWARDS.get(code, ""))
        items.append(item)
    for code, (brand, slogan) in PREVIOUS_YEAR.items():
        spec = (brand, slogan, f"{brand}品牌内涵：坚持党建引领，服务师生成长。", "主题党日\n党员示范岗",
                f"{brand}典型案例", f"{brand}在{previous.year}年度的典型做法与成效。", "", (150, 30, 30))
        _brand_sources(previous, orgs[code], spec, with_media=False)
        services.publish(services.pick(previous, orgs[code], "brand", by=admin), by=admin)
    return ShowcaseItem.objects.count()

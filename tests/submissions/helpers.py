FORM1_COMPLETE = {
    "secretary_name": "王书记", "secretary_title": "党委书记", "secretary_phone": "0516-83880001",
    "contact_name": "李老师", "contact_mobile": "13900000001", "contact_email": "li@example.edu.cn",
    "members_staff": 50, "members_student": 200, "members_retired": 10,
    "brand_name": "匠心铸魂", "slogan": "以匠心育人", "focus_area": "talent",
    "foundation": "学院党委现有党支部五个……", "honours": "全国党建工作样板支部", "connotation": "以工匠精神引领……",
    "goals": "形成可复制的育人模式", "measures": "举措一\n举措二", "schedule": "6月 启动\n9月 推进\n11月 总结",
    "expected_results": "形成一套经验", "guarantees": "学院配套经费5万元",
    "self_assessment": {c: f"{c}到位说明" for c in ["political", "team", "system", "staff", "role"]},
}

ROW_COMPLETE = {
    "feature_name": "红色工匠", "feature_intro": "依托实验室开展党员先锋岗", "carriers": "党员先锋岗",
    "expected_results": "培养骨干", "phone": "13800000000", "remarks": "",
}


def form1_post(data=None, version=0, action="save", **extra):
    data = dict(data or FORM1_COMPLETE)
    assessment = data.pop("self_assessment", {}) or {}
    post = {k: ("" if v is None else v) for k, v in data.items()}
    for code, note in assessment.items():
        post[f"five_{code}"] = note
    post.update(version=version, action=action, **extra)
    return post


def row_post(data=None, version=0, action="save"):
    post = dict(data or ROW_COMPLETE)
    post.update(version=version, action=action)
    return post

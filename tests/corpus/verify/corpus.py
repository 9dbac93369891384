#!/usr/bin/env python3
"""The hand-written verification corpus. Run to regenerate reports.jsonl beside it.

Each entry: a report as it reached a county duty desk at night (ReportDraft shape), the vague cues
a careful duty officer would mark, as field:cue:class (s summary, m measures, r requests,
t already_told, l location, o occurred_at; H hearsay, G guess, A approximate_number, U unknown),
and whether the source needs checking (not an authoritative unit / department for the category).
Labelled by hand against the conventions in src/rules/verify (cue = numeral + approximator,
without the measure word; 左右 alone), never by running the engine.
"""
import json, os

T = "2026-11-22T23:10:00+08:00"
FIELDS = {"s": "summary", "m": "measures", "r": "requests", "t": "already_told", "l": "location", "o": "occurred_at"}
CLASSES = {"H": "hearsay", "G": "guess", "A": "approximate_number", "U": "unknown"}
OUT = []

# Authoritative callers (unit, phone) by category, from the default directory.
FIRE = ("县消防救援大队", "0379-6651119")
POLICE = ("县公安局指挥中心", "0379-6652110")
TRAFFIC = ("县公安局交通警察大队", "0379-6652122")
EMER = ("县应急管理局", "0379-6653350")
HEALTH = ("县卫生健康委员会", "0379-6654120")
CDC = ("县疾病预防控制中心", "0379-6654240")
WATER = ("县水利局", "0379-6655310")
NATRES = ("县自然资源局", "0379-6655620")
METEO = ("县气象局", "0379-6655121")
HOUSING = ("县住房和城乡建设局", "0379-6656200")
MARKET = ("县市场监督管理局", "0379-6656315")
CHENGGUAN = ("城关镇人民政府", "0379-6657001")
HEKOU = ("河口镇人民政府", "0379-6657002")
SHIMEN = ("石门乡人民政府", "0379-6657003")
PARK = ("县化工园区管委会", "0379-6658000")


def E(id, summary, src, vague=(), unit=None, name=None, phone=None, post=None, cat=None, loc=None,
      occ=T, measures=None, requests=None, told=None, cas=None, level=None, kind=None, earlier=None,
      by=None):
    if by:
        unit, phone = by if unit is None else (unit, by[1])
    d = {"summary": summary}
    if kind: d["kind"] = kind
    rep = {k: v for k, v in (("name", name), ("unit", unit), ("post", post), ("phone", phone)) if v}
    if rep: d["reporter"] = rep
    if occ: d["occurred_at"] = occ
    if loc: d["location"] = loc
    if cat: d["category"] = cat
    if level: d["level"] = level
    if cas is not None: d["casualties"] = cas
    if measures: d["measures"] = measures
    if requests: d["requests"] = requests
    if told: d["already_told"] = told
    exp = []
    for v in vague:
        f, cue, c = v.split(":")
        exp.append([FIELDS[f], cue, CLASSES[c]])
    rec = {"id": id, "report": d, "expect": {"vague": exp, "unverified_source": src}}
    if earlier: rec["earlier"] = earlier
    OUT.append(rec)


# ---------------------------------------------------------------- fires
E("fire-01", "城关镇东街12号一居民楼三楼厨房起火，明火已扑灭，无人员伤亡。", False, by=FIRE, name="张伟", post="值班员", cat="fire", loc="城关镇东街12号")
E("fire-02", "据说河口镇那边有个厂房着火了，火很大，好像有人没出来。", True, ["s:据说:H", "s:好像:G"], name="王女士", phone="13812345678", cat="fire", loc="河口镇工业路", cas={"trapped": None})
E("fire-03", "石门乡石门村一民房起火，过火面积约80平方米，3人被困，消防正在救援。", False, ["s:约80:A"], by=SHIMEN, name="刘建军", post="副乡长", cat="fire", loc="石门乡石门村三组", cas={"trapped": 3})
E("fire-04", "我在高速上看到路边山上冒烟，可能是山火，烧了一大片。", True, ["s:可能:G", "s:一大片:A"], name="过路司机", phone="15937912345", cat="fire", loc="G55高速K123附近")
E("fire-05", "县城步行街一商铺22时许起火，火势已控制，无人伤亡，起火原因正在核查。", False, ["s:22时许:A", "s:正在核查:U"], by=FIRE, name="赵磊", cat="fire", loc="城关镇步行街", cas={"dead": 0, "injured": 0})
E("fire-06", "网传化工园区发生爆炸起火，视频里看到很大的火光，伤亡情况不清楚。", True, ["s:网传:H", "s:不清楚:U"], unit="自媒体", name="某博主", cat="fire", loc="化工园区", occ=None)
E("fire-07", "河口镇敬老院配电房起火，已疏散老人32名，无人员伤亡。", False, by=HEKOU, name="李强", cat="fire", loc="河口镇敬老院")
E("fire-08", "城关镇幸福小区5号楼起火，据悉有十几户居民被困在楼上。", False, ["s:据悉:H", "s:十几:A"], by=FIRE, name="周涛", cat="fire", loc="城关镇幸福小区5号楼", cas={"trapped": None})
E("fire-09", "学校后面的仓库着火了，估计是有人烧垃圾引起的。", True, ["s:估计:G"], unit="城关镇中心小学", name="陈老师", phone="13703791234", cat="fire", loc="城关镇中心小学后仓库", cas={"injured": 0})
E("fire-10", "县应急局接报：河口镇一木材加工厂起火，2人轻微烧伤送医，火已扑灭。", False, by=EMER, name="孙志", cat="fire", loc="河口镇木材加工厂", cas={"injured": 2, "dead": 0})
E("fire-11", "有人说城北加油站着火了，我不太清楚具体位置。", True, ["s:有人说:H", "s:不太清楚:U"], name="匿名", cat="fire", loc="城北", occ=None)
E("fire-12", "石门乡林场发生森林火情，过火面积五六十亩，已组织扑救队伍上山。", False, ["s:五六十:A"], by=SHIMEN, name="吴敏", cat="fire", loc="石门乡林场", cas={"dead": 0, "injured": 0})
E("fire-13", "城关镇农贸市场一摊位起火，烧毁摊位3个，火已扑灭，原因不明。", False, ["s:原因不明:U"], by=FIRE, name="郑凯", cat="fire", loc="城关镇农贸市场", cas={"dead": 0})
E("fire-14", "我家对面楼着火了！好多烟，应该是四楼，里面好像还有人！", True, ["s:好多:A", "s:应该是:G", "s:好像:G"], name="居民刘先生", phone="18603791122", cat="fire", loc="城关镇建设路36号", cas={"trapped": None})
E("fire-15", "县消防大队报告：化工园区一企业储罐区起火，无人员伤亡，起火原因可能性已排除电气故障，正在调查。", False, ["s:正在调查:U"], by=FIRE, name="何勇", cat="fire", loc="化工园区", cas={"dead": 0, "injured": 0})
E("fire-16", "河口镇一KTV起火，初步判断为电线短路，已疏散顾客近百人。", False, ["s:初步判断:G", "s:近百:A"], by=FIRE, name="韩冰", cat="fire", loc="河口镇人民路KTV", cas={"injured": 0})
E("fire-17", "河口镇政府值班室报：镇东一废品站起火，火势较大，尚不清楚是否有人员被困。", False, ["s:尚不清楚:U"], unit="河口镇政府值班室", name="马丽", phone="0379-6657002", cat="fire", loc="河口镇东废品站", cas={"trapped": None})
E("fire-18", "朋友圈里都在传县医院着火了，不知道真的假的。", True, ["s:朋友圈:H", "s:都在传:H", "s:不知道:U"], name="网友", cat="fire", loc="县人民医院", occ=None)

# ---------------------------------------------------------------- road accidents
E("traffic-01", "S312线K45处一辆大货车与一辆小轿车相撞，造成2人死亡、3人受伤，伤者已送县医院。", False, by=TRAFFIC, name="杨帆", post="值班民警", cat="traffic", loc="S312线K45处", cas={"dead": 2, "injured": 3}, level="IV")
E("traffic-02", "刚才在河口大桥上看到好几辆车撞一起了，有人躺在地上，可能伤得挺重。", True, ["s:好几:A", "s:可能:G"], name="路人", phone="13598765432", cat="traffic", loc="河口大桥", cas={"injured": None})
E("traffic-03", "一辆载有30余名乘客的大客车在石门乡盘山路侧翻，伤亡人数不详。", False, ["s:30余:A", "s:人数不详:U"], by=POLICE, name="林海", cat="traffic", loc="石门乡盘山公路", cas={"dead": None, "injured": None})
E("traffic-04", "城关镇十字路口电动车与公交车刮擦，电动车驾驶人轻伤，已送医。", False, by=TRAFFIC, name="宋佳", cat="traffic", loc="城关镇人民路与建设路交叉口", cas={"injured": 1, "dead": 0})
E("traffic-05", "高速出口连环追尾，大约十来辆车，具体伤亡还不清楚。", True, ["s:大约:G", "s:十来:A", "s:还不清楚:U"], name="货车司机老张", phone="13937901234", cat="traffic", loc="示例县高速出口", cas={"dead": None})
E("traffic-06", "县交警大队报：G207线一辆危化品运输车侧翻，车上装有液碱约20吨，未泄漏，无人员伤亡。", False, ["s:约20:A"], by=TRAFFIC, name="唐亮", cat="traffic", loc="G207线K88处", cas={"dead": 0, "injured": 0})
E("traffic-07", "听说村口那个弯道又出事了，一个骑摩托的撞树上了，人好像不行了。", True, ["s:听说:H", "s:好像:G"], unit="河口镇后村村民", name="老李", phone="15237901111", cat="traffic", loc="河口镇后村村口弯道", cas={"dead": None})
E("traffic-08", "河口镇派出所报：一辆面包车坠入河中，车内疑似有3人，正在搜救。", False, ["s:疑似:G"], unit="河口镇派出所", name="许峰", phone="0379-6652201", cat="traffic", loc="河口镇南河桥下", cas={"trapped": 3})
E("traffic-09", "县人民医院急诊科报告：刚接收车祸伤员7名，其中重伤2人，事故地点不详。", True, ["s:不详:U"], unit="县人民医院急诊科", name="冯医生", phone="0379-6660120", cat="traffic", cas={"injured": 7})
E("traffic-10", "我是出租车司机，看到前面一辆车翻到沟里了，里面有没有人不知道。", True, ["s:不知道:U"], unit="出租车公司", name="司机小王", phone="13603795678", cat="traffic", loc="城关镇西环路", cas={"trapped": None})
E("traffic-11", "县交警大队报：S312线校车与农用车相撞，学生受伤12人，均为轻伤，已送医，事故原因待查。", False, ["s:待查:U"], by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K20处", cas={"injured": 12, "dead": 0}, level="III")
E("traffic-12", "石门乡政府报：石门村路段一辆三轮车翻车，车上5人，1人死亡，其余4人受伤送医。", False, by=SHIMEN, name="吴敏", cat="traffic", loc="石门乡石门村路段", cas={"dead": 1, "injured": 4})
E("traffic-13", "有网友发帖说高速上几十辆车追尾，现场一片混乱，不排除有人员死亡。", True, ["s:网友发帖说:H", "s:几十:A", "s:不排除:G"], name="网友转述", unit="县融媒体中心", phone="0379-6669999", cat="traffic", loc="高速公路", occ=None)
E("traffic-14", "县公路局报：大雾导致G55高速封闭，滞留车辆两三百辆，无事故报告。", False, ["s:两三百:A"], unit="县公路管理局", name="彭辉", phone="0379-6661234", cat="traffic", loc="G55高速示例县段", cas={"dead": 0, "injured": 0})
E("traffic-15", "城关镇建设路一辆渣土车撞倒行人，行人当场死亡，肇事司机已控制。", False, by=TRAFFIC, name="唐亮", cat="traffic", loc="城关镇建设路", cas={"dead": 1})

# ---------------------------------------------------------------- floods and weather
E("flood-01", "河口镇南河水位超警戒0.8米，已转移低洼地带群众126人，无人员伤亡。", False, by=WATER, name="高原", post="防汛值班", cat="flood", loc="河口镇南河沿岸")
E("flood-02", "我们村被水淹了，大概有二三十户进水，有几个老人没出来。", True, ["s:大概:G", "s:二三十:A", "s:几:A"], unit="石门乡石门村村民", name="赵大爷", phone="13103791234", cat="flood", loc="石门乡石门村", cas={"trapped": None})
E("flood-03", "城关镇政府报：持续强降雨致城区多处路段积水，部分车辆熄火，暂无人员伤亡。", False, ["s:多处:A", "s:部分:A"], unit="城关镇政府", name="钱坤", phone="0379-6657001", cat="flood", loc="城关镇城区")
E("flood-04", "县气象局发布暴雨红色预警，预计未来3小时降雨量将达100毫米以上。", False, by=METEO, name="蒋雨", cat="weather", loc="全县", cas={"dead": 0})
E("flood-05", "听说上游水库要泄洪了，下游的人都在跑，不知道是真是假。", True, ["s:听说:H", "s:不知道:U"], name="网民", cat="flood", loc="河口镇下游", occ=None)
E("flood-06", "石门乡报告：山洪冲毁乡道约200米，石门村与外界交通中断，村内约有80户群众，情况正在核查。", False, ["s:约200:A", "s:约有80:A", "s:正在核查:U"], by=SHIMEN, name="刘建军", cat="flood", loc="石门乡石门村", cas={"dead": None})
E("flood-07", "河口镇一名群众在河边钓鱼被洪水冲走，下落不明，正在搜救。", False, by=HEKOU, name="李强", cat="flood", loc="河口镇南河", cas={"missing": 1})
E("flood-08", "县防汛办报：南河、北河水位持续上涨，沿岸13个村已启动转移，已转移3200余人。", False, ["s:3200余:A"], unit="县防汛抗旱指挥部办公室", name="高原", phone="0379-6655311", cat="flood", loc="南河、北河沿岸", cas={"dead": 0})
E("flood-09", "小区地下车库进水了，水已经一米多深，里面可能还有人在挪车。", True, ["s:一米多:A", "s:可能:G"], unit="物业公司", name="保安队长", phone="13803790000", cat="flood", loc="城关镇锦绣花园小区", cas={"trapped": None})
E("flood-10", "县水利局报：北河堤防出现管涌险情1处，已组织抢险队伍50人处置，险情已控制。", False, by=WATER, name="高原", cat="flood", loc="河口镇北河堤防K3+200", cas={"dead": 0})
E("flood-11", "村里的桥被冲断了，好像有一辆车掉下去了，车上几个人不清楚。", True, ["s:好像:G", "s:几:A", "s:不清楚:U"], name="村民", phone="15837905555", cat="flood", loc="石门乡后沟村桥", cas={"missing": None})
E("weather-01", "县气象局报：今晚到明天我县有大风降温，最大风力8级，请各地做好防范。", False, by=METEO, name="蒋雨", cat="weather", loc="全县", cas={"dead": 0})
E("weather-02", "城关镇报：大风刮倒广告牌一块，砸中停放车辆两三辆，无人员受伤。", False, ["s:两三:A"], by=CHENGGUAN, name="钱坤", cat="weather", loc="城关镇人民路", cas={"injured": 0})
E("weather-03", "冰雹把大棚砸坏了好多，我们村估计有上百个大棚受损。", True, ["s:好多:A", "s:估计:G", "s:上百:A"], name="种植户", phone="13503791234", cat="weather", loc="河口镇东村", cas={"injured": 0})

# ---------------------------------------------------------------- gas leaks and hazmat
E("gas-01", "城关镇幸福小区3号楼燃气管道泄漏，已关阀，疏散居民48户，无人员伤亡。", False, unit="县燃气有限公司", name="白洁", phone="0379-6662000", cat="hazmat", loc="城关镇幸福小区3号楼")
E("gas-02", "楼道里一股很大的煤气味，好像是谁家漏气了，我不敢进去。", True, ["s:好像:G"], name="住户", phone="18637901234", cat="hazmat", loc="城关镇建设路18号院", cas={"injured": 0})
E("gas-03", "化工园区管委会报：园区一企业氯气管道阀门泄漏，泄漏量约50公斤，已堵漏，周边检测正常。", False, ["s:约50:A"], by=PARK, name="邓刚", cat="hazmat", loc="化工园区纬三路", cas={"dead": 0, "injured": 0})
E("gas-04", "园区那边味道很冲，据传是有罐子漏了，附近好多人头晕。", True, ["s:据传:H", "s:好多:A"], name="附近居民", phone="15003791234", cat="hazmat", loc="化工园区附近", cas={"injured": None})
E("gas-05", "县应急管理局报：一辆液化气槽车在S312线发生泄漏，已封闭道路，疏散周边群众约300人。", False, ["s:约300:A"], by=EMER, name="孙志", cat="hazmat", loc="S312线K52处", cas={"dead": 0, "injured": 0})
E("gas-06", "饭店后厨液化气罐起火爆炸，造成3人受伤，其中1人重伤，事发饭店为城关镇老街酒家。", False, by=FIRE, name="周涛", cat="hazmat", loc="城关镇老街酒家", cas={"injured": 3, "dead": 0})
E("gas-07", "疑似有毒气体泄漏，工人出现呕吐症状，人数尚未核实。", False, ["s:疑似:G", "s:尚未核实:H"], by=EMER, name="孙志", cat="hazmat", loc="化工园区某化工厂", cas={"injured": None})
E("gas-08", "河口镇一家小作坊的氨气瓶漏了，不太严重，已经处理了，应该没事。", True, ["s:应该没:G"], unit="河口镇某食品作坊", name="老板", phone="13903795555", cat="hazmat", loc="河口镇西街", cas={"injured": 0})
E("gas-09", "住建局报：城关镇老城区燃气主管道被施工挖断，泄漏已控制，影响周边1200户供气。", False, by=HOUSING, name="罗平", cat="hazmat", loc="城关镇老城区解放路", cas={"dead": 0, "injured": 0})
E("gas-10", "我闻到很重的臭鸡蛋味，好像是从下水道出来的，说不清是哪里。", True, ["s:好像:G", "s:说不清:U"], name="市民", cat="hazmat", loc="城关镇", occ=None)

# ---------------------------------------------------------------- collapses
E("collapse-01", "城关镇老街一栋两层民房倒塌，2人被埋，消防正在救援。", False, by=FIRE, name="郑凯", cat="collapse", loc="城关镇老街45号", cas={"trapped": 2})
E("collapse-02", "工地上塌了一片，听工友说下面压着七八个人。", True, ["s:听工友说:H", "s:七八:A"], unit="建筑工地工人", name="老刘", phone="13137901234", cat="collapse", loc="城关镇新区某工地", cas={"trapped": None})
E("collapse-03", "县住建局报：河口镇一在建厂房钢结构坍塌，初步统计4人受伤，1人被困，正在救援。", False, by=HOUSING, name="罗平", cat="collapse", loc="河口镇工业园", cas={"injured": 4, "trapped": 1})
E("collapse-04", "学校围墙倒了，砸到了几个学生，具体人数还不清楚。", True, ["s:几:A", "s:还不清楚:U"], unit="城关镇第二初级中学", name="王主任", phone="13703790001", cat="collapse", loc="城关镇第二初中", cas={"injured": None})
E("collapse-05", "石门乡报：连续降雨致石门村危房倒塌3间，房内人员已提前转移，无人员伤亡。", False, by=SHIMEN, name="刘建军", cat="collapse", loc="石门乡石门村")
E("collapse-06", "网曝城关镇商场吊顶塌落砸伤多名顾客，视频在网上传。", True, ["s:网曝:H", "s:多名:A", "s:网上传:H"], name="网友", cat="collapse", loc="城关镇某商场", occ=None)
E("collapse-07", "应急管理局报：城关镇一小区地下车库顶板局部坍塌，约有十几辆车被压，暂无人员伤亡报告。", False, ["s:约有十几:A"], by=EMER, name="孙志", cat="collapse", loc="城关镇锦绣花园地下车库")
E("collapse-08", "河口镇政府报：镇中心小学一间教室墙体开裂，已停课，学生全部转移，无人员伤亡。", False, by=HEKOU, name="马丽", cat="collapse", loc="河口镇中心小学")
E("collapse-09", "老房子塌了，好像我婶子在里面，求求你们快派人来。", True, ["s:好像:G"], name="张女士", phone="18903791234", cat="collapse", loc="石门乡后沟村", cas={"trapped": None})

# ---------------------------------------------------------------- crowds and public order
E("order-01", "县公安局指挥中心报：县政府门口聚集群众约60人，反映拆迁补偿问题，现场秩序平稳。", False, ["s:约60:A"], by=POLICE, name="林海", cat="public_order", loc="县政府北门", cas={"injured": 0})
E("order-02", "据说明天有上千人要去县政府讨说法，网上都在传。", True, ["s:据说:H", "s:上千:A", "s:都在传:H"], name="匿名", cat="public_order", loc="县政府", occ=None)
E("order-03", "河口镇派出所报：镇集市两伙人发生斗殴，3人受伤，已控制涉事人员5名。", False, unit="河口镇派出所", name="许峰", phone="0379-6652201", cat="public_order", loc="河口镇集市", cas={"injured": 3})
E("order-04", "工地门口围了好多农民工讨薪，有几十个人吧，情绪挺激动。", True, ["s:好多:A", "s:几十:A"], name="过路群众", phone="13703799999", cat="public_order", loc="城关镇新区工地", cas={"injured": 0})
E("order-05", "城关镇政府报：某小区业主因物业问题聚集，人数一百多人，镇村干部正在劝解。", False, ["s:一百多:A"], by=CHENGGUAN, name="钱坤", cat="public_order", loc="城关镇阳光小区", cas={"injured": 0})
E("order-06", "石门乡报：乡中学附近有人持刀伤人，1人受伤，嫌疑人身份不明，已逃离。", False, ["s:不明:U"], by=SHIMEN, name="吴敏", cat="public_order", loc="石门乡中学附近", cas={"injured": 1})
E("order-07", "广场上有人打起来了，好像还动了刀子，你们快来。", True, ["s:好像:G"], name="市民", phone="13303791234", cat="public_order", loc="城关镇人民广场", cas={"injured": None})
E("order-08", "县信访局报：约30名退役人员在县委门前聚集，已安排接待，秩序正常。", False, ["s:约30:A"], unit="县信访局", name="韦华", phone="0379-6663456", cat="public_order", loc="县委门前", cas={"injured": 0})
E("order-09", "我是记者，接到线索说城关镇有数百人聚集，想核实一下情况。", True, ["s:数百:A"], unit="市晚报", name="记者小周", phone="13903998888", cat="public_order", loc="城关镇", occ=None)
E("order-10", "体育馆演唱会散场时人员拥挤，有人摔倒，可能有踩踏，人数尚不清楚。", False, ["s:可能:G", "s:尚不清楚:U"], by=POLICE, name="林海", cat="public_order", loc="县体育馆", cas={"injured": None})

# ---------------------------------------------------------------- outbreaks and food poisoning
E("health-01", "县疾控中心报：城关镇第一小学发现诺如病毒感染疑似病例15例，均为轻症，已采样送检。", False, ["s:疑似:G"], by=CDC, name="黄芳", cat="outbreak", loc="城关镇第一小学", cas={"injured": 0})
E("health-02", "县卫健委报：河口镇一工厂食堂午餐后23名工人出现呕吐腹泻，已送医，无危重病例。", False, by=HEALTH, name="曹阳", cat="food_safety", loc="河口镇某电子厂食堂", cas={"injured": 23})
E("health-03", "我们村好几个人发烧咳嗽，听说隔壁村也有，会不会是什么传染病？", True, ["s:好几:A", "s:听说:H"], unit="石门乡后沟村村民", name="李大姐", phone="15903791234", cat="outbreak", loc="石门乡后沟村", cas={"injured": None})
E("health-04", "县人民医院报：接诊疑似食物中毒患者十余人，均在同一婚宴就餐，病情稳定。", False, ["s:疑似:G", "s:十余:A"], unit="县人民医院", name="冯医生", phone="0379-6660120", cat="food_safety", loc="城关镇某酒店", cas={"injured": None})
E("health-05", "吃了学校食堂的饭后，我孩子班上有一些同学拉肚子，学校说没事。", True, ["s:一些:A"], name="学生家长", phone="18837901234", cat="food_safety", loc="城关镇第二初中", cas={"injured": None})
E("health-06", "市场监管局报：城关镇一餐馆发生食物中毒，就餐人员9人出现症状，已送医，餐馆已封存留样。", False, by=MARKET, name="苏明", cat="food_safety", loc="城关镇解放路某餐馆", cas={"injured": 9})
E("health-07", "网传某中学出现肺结核病例，可能已经传染了好多学生。", True, ["s:网传:H", "s:可能:G", "s:好多:A"], name="网友", cat="outbreak", loc="某中学", occ=None)
E("health-08", "县疾控中心报：河口镇发现输入性登革热病例1例，流调已开展，密切接触者待确认。", False, ["s:待确认:U"], by=CDC, name="黄芳", cat="outbreak", loc="河口镇", cas={"injured": 1})
E("health-09", "石门乡卫生院报：乡敬老院有老人出现发热症状，数量不多，原因不明。", False, ["s:原因不明:U"], unit="石门乡卫生院", name="陆医生", phone="0379-6664321", cat="outbreak", loc="石门乡敬老院", cas={"injured": None})
E("health-10", "婚宴上吃完饭，我们桌上好像有三四个人都不舒服，大家都说是海鲜的问题。", True, ["s:好像:G", "s:三四:A"], name="宾客", phone="13213791234", cat="food_safety", loc="河口镇喜来登酒楼", cas={"injured": None})
E("health-11", "县卫生健康委员会报：城关镇一幼儿园手足口病聚集性病例8例，已停课消毒。", False, by=HEALTH, name="曹阳", cat="outbreak", loc="城关镇阳光幼儿园", cas={"injured": 8})
E("health-12", "县疾控中心报：某养殖场附近发现死鸟若干只，是否为禽流感待查。", False, ["s:若干:A", "s:待查:U"], by=CDC, name="黄芳", cat="outbreak", loc="河口镇东村养殖场", cas={"dead": 0})

# ---------------------------------------------------------------- missing persons
E("missing-01", "石门乡报：一名12岁男孩下午上山后未归，已组织村民和民兵40人搜寻。", False, by=SHIMEN, name="刘建军", cat="missing_person", loc="石门乡后山", cas={"missing": 1})
E("missing-02", "我爸出去放羊到现在没回来，快一天了，手机也打不通。", True, name="李女士", phone="13837901111", cat="missing_person", loc="石门乡后沟村", cas={"missing": 1})
E("missing-03", "县消防救援大队报：南河有人落水，一名男子下落不明，正在打捞搜救。", False, by=FIRE, name="何勇", cat="missing_person", loc="河口镇南河", cas={"missing": 1})
E("missing-04", "几个驴友进山了，听说困在山里了，具体几个人不清楚。", True, ["s:几:A", "s:听说:H", "s:几:A", "s:不清楚:U"], name="驴友群群主", phone="13603791111", cat="missing_person", loc="石门乡大青山", cas={"trapped": None})
E("missing-05", "城关镇派出所报：一名老人走失，患有阿尔茨海默病，最后出现在城关镇汽车站附近。", False, unit="城关镇派出所", name="宋佳", phone="0379-6652111", cat="missing_person", loc="城关镇汽车站", cas={"missing": 1})
E("missing-06", "学校报告一名学生昨晚没回宿舍，可能是去网吧了，家长联系不上。", True, ["s:可能:G"], unit="县职业高中", name="政教处主任", phone="0379-6665678", cat="missing_person", loc="县职业高中", cas={"missing": 1})

# ---------------------------------------------------------------- landslides and geological
E("geo-01", "县自然资源局报：石门乡后沟村发生山体滑坡，方量约2000立方米，掩埋民房2间，无人员伤亡。", False, ["s:约2000:A"], by=NATRES, name="顾伟", cat="geological", loc="石门乡后沟村", occ=T)
E("geo-02", "后山好像要塌了，一直往下掉石头，我们村有几十户住在下面。", True, ["s:好像:G", "s:几十:A"], unit="石门乡后沟村", name="村支书", phone="13903791357", cat="geological", loc="石门乡后沟村", cas={"injured": 0})
E("geo-03", "石门乡报：石门至后沟公路发生塌方，道路中断，据了解有一辆车被埋，车内人员情况不明。", False, ["s:情况不明:U"], by=SHIMEN, name="吴敏", cat="geological", loc="石门至后沟公路K5处", cas={"trapped": None})
E("geo-04", "县应急管理局报：河口镇西山发现地面裂缝，长约50米，已撤离周边群众17户53人。", False, ["s:约50:A"], by=EMER, name="孙志", cat="geological", loc="河口镇西山", cas={"dead": 0, "injured": 0})
E("geo-05", "据村民反映，山上泥石流冲下来了，可能冲毁了几户房子。", True, ["s:村民反映:H", "s:可能:G", "s:几:A"], unit="石门乡中心小学", name="张校长", phone="13803791234", cat="geological", loc="石门乡前沟村", cas={"dead": None})
E("geo-06", "石门乡政府报：前沟村泥石流冲毁房屋5间，1人受伤送医，另有2人失联，正在搜救。", False, by=SHIMEN, name="刘建军", cat="geological", loc="石门乡前沟村", cas={"injured": 1, "missing": 2})

# ---------------------------------------------------------------- work safety
E("work-01", "县应急管理局报：化工园区一企业反应釜爆炸，造成1人死亡、4人受伤，事故原因正在调查。", False, ["s:正在调查:U"], by=EMER, name="孙志", cat="work_safety", loc="化工园区某化工有限公司", cas={"dead": 1, "injured": 4})
E("work-02", "矿上出事了，听说井下有人被困，多少人不知道。", True, ["s:听说:H", "s:不知道:U"], name="矿工家属", phone="15603791234", cat="work_safety", loc="石门乡某煤矿", cas={"trapped": None})
E("work-03", "县市场监督管理局报：城关镇一商场电梯故障，困住乘客6人，已全部救出，无人员受伤。", False, by=MARKET, name="苏明", cat="work_safety", loc="城关镇百货大楼", cas={"injured": 0, "trapped": 0})
E("work-04", "工厂锅炉房爆炸了，动静很大，估计伤了好几个人。", True, ["s:估计:G", "s:好几:A"], name="附近村民", phone="13703792468", cat="work_safety", loc="河口镇工业园", cas={"injured": None})
E("work-05", "化工园区管委会报：园区一企业有限空间作业发生中毒，3名工人送医，其中1人经抢救无效死亡。", False, by=PARK, name="邓刚", cat="work_safety", loc="化工园区纬五路", cas={"dead": 1, "injured": 2}, level="IV")
E("work-06", "工地塔吊倒了，砸到了工棚，里面应该有人，具体不详。", True, ["s:应该有:G", "s:不详:U"], unit="施工单位项目部", name="安全员", phone="13603795555", cat="work_safety", loc="城关镇新区工地", cas={"injured": None})

# ---------------------------------------------------------------- English reports
E("en-01", "Reportedly a bus overturned on the mountain road; maybe 20 passengers on board.", True, ["s:Reportedly:H", "s:maybe:G"], name="Anonymous caller", phone="13900000001", cat="traffic", loc="Shimen mountain road", cas={"injured": None})
E("en-02", "County Fire and Rescue Brigade: warehouse fire at Hekou industrial park, extinguished at 23:40, no casualties.", False, unit="County Fire and Rescue Brigade", name="Duty officer Chen", phone="0379-6651119", cat="fire", loc="Hekou industrial park")
E("en-03", "About 30 residents evacuated after a gas leak; cause unknown.", False, ["s:About:A", "s:unknown:U"], unit="County Gas Company", name="Bai Jie", phone="0379-6662000", cat="hazmat", loc="Chengguan, Xingfu estate block 3", cas={"injured": 0})
E("en-04", "I saw smoke around the chemical park, it might be an explosion, there are some people running.", True, ["s:might:G"], name="passer-by", phone="13900000002", cat="hazmat", loc="near the chemical park", cas={"injured": None})
E("en-05", "Police: a fight outside the stadium, 3 injured, suspects detained. This is a report about the fight at 22:15.", False, unit="County Public Security Bureau Command Centre", name="Lin Hai", phone="0379-6652110", cat="public_order", loc="County stadium", cas={"injured": 3})
E("en-06", "There are allegedly dozens of cars stuck in the flood, several people probably trapped.", True, ["s:allegedly:H", "s:dozens:A", "s:several:A", "s:probably:G"], name="netizen", cat="flood", loc="Hekou underpass", occ=None)
E("en-07", "Water Resources Bureau: river level rising, more than 200 people moved to shelters, no injuries.", False, ["s:more than:A"], unit="County Water Resources Bureau", name="Gao Yuan", phone="0379-6655310", cat="flood", loc="South River, Hekou")
E("en-08", "Food poisoning at a wedding, approximately 15 guests in hospital, suspected seafood.", False, ["s:approximately:A", "s:suspected:G"], unit="County Hospital", name="Dr Feng", phone="0379-6660120", cat="food_safety", loc="Hekou wedding hall", cas={"injured": 15})
E("en-09", "Landslide near Shimen, unconfirmed, the road seems blocked and the number of houses is unclear.", True, ["s:unconfirmed:H", "s:seems:G", "s:unclear:U"], unit="tour group", name="guide", phone="13900000003", cat="geological", loc="Shimen", cas={"dead": None})
E("en-10", "Mayor's office asked about the May 3 flood inspection; someone from the township will call back.", False, unit="Shimen Township Government", name="Wu Min", phone="0379-6657003", cat="flood", loc="Shimen", cas={"dead": 0})
E("en-11", "Missing hiker, 24, last seen around noon on the ridge trail; search team of 40 deployed.", False, ["s:around:A"], unit="County Fire and Rescue Brigade", name="He Yong", phone="0379-6651119", cat="missing_person", loc="Daqing mountain ridge trail", cas={"missing": 1})
E("en-12", "A blogger posted that the dam may collapse, people say the water is very high.", True, ["s:may:G", "s:people say:H"], unit="self-media blogger", name="Xiao Li", cat="flood", loc="North River dam", occ=None)
E("en-13", "Traffic police: two trucks collided on S312, 1 dead, 2 injured, road reopened at 01:10.", False, unit="County Traffic Police Brigade", name="Tang Liang", phone="0379-6652122", cat="traffic", loc="S312 km 45", cas={"dead": 1, "injured": 2})
E("en-14", "We talk about this every year: the old bridge in Hekou cracked again, roughly 2 metres long, apparently nobody hurt.", True, ["s:roughly:A", "s:apparently:H"], name="resident", phone="13900000004", cat="collapse", loc="Hekou old bridge", cas={"injured": 0})
E("en-15", "CDC: cluster of 6 flu-like cases at Chengguan school, samples sent, cause not known yet.", False, ["s:not known:U"], unit="County CDC", name="Huang Fang", phone="0379-6654240", cat="outbreak", loc="Chengguan No.1 primary school", cas={"injured": 0})
E("en-16", "A witness says perhaps a dozen sheep were swept away near the ford; no people involved.", True, ["s:perhaps:G", "s:a dozen:A"], name="witness", phone="13900000005", cat="flood", loc="Shimen ford", cas={"dead": 0})
E("en-17", "Emergency Management Bureau: tank leak at the chemical park contained, over 100 workers evacuated, 2 treated for dizziness.", False, ["s:over:A"], unit="County Emergency Management Bureau", name="Sun Zhi", phone="0379-6653350", cat="hazmat", loc="Chemical park, Wei 3 road", cas={"injured": 2})

# ---------------------------------------------------------------- mixed, full-width, tricky false friends
E("mix-01", "城关镇东街一仓库起火，现场无人员伤亡，起火原因正在调查，人为纵火可能性已排除。", False, ["s:正在调查:U"], by=FIRE, name="张伟", cat="fire", loc="城关镇东街")
E("mix-02", "经核实，S312线事故造成３人死亡、５人受伤，此前报告无误。", False, by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 3, "injured": 5}, level="III")
E("mix-03", "１０多人在河口镇集市附近聚集，情绪激动，据群众反映有人受伤。", True, ["s:１０多:A", "s:群众反映:H"], name="过路群众", phone="13303795678", cat="public_order", loc="河口镇集市", cas={"injured": None})
E("mix-04", "河口镇已核实：南河桥下发现一具遗体，身份待查，已通知派出所。", False, ["s:待查:U"], by=HEKOU, name="李强", cat="missing_person", loc="河口镇南河桥下", cas={"dead": 1})
E("mix-05", "已排除燃气泄漏的可能，初步认定为电器短路起火，无人伤亡。", False, by=FIRE, name="赵磊", cat="fire", loc="城关镇建设路18号")
E("mix-06", "村里尽可能把老人都转移了，但后沟还有三五户不愿意走。", False, ["s:三五:A"], by=SHIMEN, name="刘建军", cat="flood", loc="石门乡后沟村", cas={"dead": 0})
E("mix-07", "附近居民反映闻到异味，其余情况正常，最近3天未发现泄漏。", False, ["s:居民反映:H"], by=PARK, name="邓刚", cat="hazmat", loc="化工园区周边", cas={"injured": 0})
E("mix-08", "核实后确认：死亡2人，受伤6人，此前误报死亡3人。", False, by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 2, "injured": 6})
E("mix-09", "道路左右两侧积水约30厘米，上下班高峰车辆通行缓慢。", False, ["s:约30:A"], by=CHENGGUAN, name="钱坤", cat="flood", loc="城关镇人民路", cas={"dead": 0})
E("mix-10", "水位在30厘米左右，后来又涨了，目前无人员伤亡。", False, ["s:左右:A"], by=WATER, name="高原", cat="flood", loc="河口镇下穿通道")
E("mix-11", "一名女子下落不明，余震后山路不通，搜救队伍暂时无法进入。", False, by=SHIMEN, name="吴敏", cat="missing_person", loc="石门乡大青山", cas={"missing": 1})
E("mix-12", "约莫十七八个工人被困在隧道里，情况不明，施工方说可能是塌方。", True, ["s:十七八:A", "s:情况不明:U", "s:可能:G"], unit="隧道施工项目部", name="项目经理", phone="13903798765", cat="collapse", loc="石门隧道", cas={"trapped": None})
E("mix-13", "县消防救援大队：火灾现场搜救出被困人员12人，其中2人受伤送医，1人仍在搜寻中。", False, by=FIRE, name="何勇", cat="fire", loc="城关镇幸福小区5号楼", cas={"injured": 2, "missing": 1})
E("mix-14", "有人称山上有人烧荒，烟很大，我在路上看到的，不确定是哪个村。", True, ["s:有人称:H", "s:不确定:U"], name="货车司机", phone="15937900000", cat="fire", loc="石门乡境内", cas={"injured": 0})
E("mix-15", "县卫健委通报：目前收治中毒患者共计31人，其中重症4人，无死亡病例。", False, by=HEALTH, name="曹阳", cat="food_safety", loc="县人民医院", cas={"injured": 31, "dead": 0}, level="III")
E("mix-16", "城关镇政府：暴雨造成城区停电，影响居民约3000户，电力部门正在抢修，恢复时间不详。", False, ["s:约3000:A", "s:不详:U"], unit="城关镇政府", name="钱坤", phone="0379-6657001", cat="weather", loc="城关镇城区", cas={"injured": 0})
E("mix-17", "河口镇：大桥检测发现桥墩裂缝2处，已封闭交通，没有人员伤亡。", False, by=HEKOU, name="马丽", cat="collapse", loc="河口大桥")
E("mix-18", "好像是二〇二三年修的那座桥，现在桥面塌了一块，不知道有没有车掉下去。", True, ["s:好像:G", "s:不知道:U"], name="村民", phone="13503790000", cat="collapse", loc="石门乡石门桥", cas={"trapped": None})
E("mix-19", "县气象局：预计今晚降雨量50至80毫米，局部可达100毫米以上。", False, by=METEO, name="蒋雨", cat="weather", loc="全县", cas={"dead": 0})
E("mix-20", "城关镇一小区电梯困人，困人时间一个多小时，物业说维保人员在路上。", True, ["s:一个多:A"], unit="小区物业", name="业主", phone="18603790000", cat="work_safety", loc="城关镇阳光小区8号楼", cas={"trapped": 2})

# ---------------------------------------------------------------- more night calls, varied phrasing
E("night-01", "喂，值班室吗？我是河口镇政府的，镇上那个化肥厂好像冒黄烟，具体啥情况还不清楚，我们的人正往那赶。", True, ["s:好像:G", "s:还不清楚:U"], unit="河口镇政府", name="值班干部小刘", phone="0379-6657002", cat="hazmat", loc="河口镇化肥厂", cas={"injured": None})
E("night-02", "我是110指挥中心的，刚接到报警，城关镇一个网吧有人晕倒，疑似一氧化碳中毒，120已经去了。", True, ["s:疑似:G"], by=POLICE, name="接警员", cat="hazmat", loc="城关镇解放路某网吧", cas={"injured": 1})
E("night-03", "石门乡这边停电了，整个乡都黑了，也许是大风刮倒了电线杆。", False, ["s:也许:G"], by=SHIMEN, name="值班员", cat="weather", loc="石门乡", cas={"injured": 0})
E("night-04", "喂，你好，我在南河边散步，看见水里好像漂着一个人，你们赶紧派人来看看。", True, ["s:好像:G"], name="散步的市民", phone="13937905678", cat="missing_person", loc="城关镇南河公园段", cas={"missing": None})
E("night-05", "县应急局：截至23时，全县共转移群众4315人，紧急安置2100人，无人员伤亡。", False, by=EMER, name="孙志", cat="flood", loc="全县")
E("night-06", "河口镇报：镇卫生院接收疑似中毒村民5人，据初步了解系误食毒蘑菇，病情平稳。", True, ["s:疑似:G"], by=HEKOU, name="马丽", cat="food_safety", loc="河口镇卫生院", cas={"injured": 5})
E("night-07", "我们小区一直有人在放烟花，好像点着了楼下的树，现在火不大。", True, ["s:好像:G"], name="业主", phone="18937901234", cat="fire", loc="城关镇锦绣花园", cas={"injured": 0})
E("night-08", "县公安局报：城关镇一酒吧门口发生纠纷，数十人围观，无人受伤，已处置完毕。", False, ["s:数十:A"], by=POLICE, name="林海", cat="public_order", loc="城关镇滨河路酒吧街", cas={"injured": 0})
E("night-09", "化工园区管委会：园区内一企业废水池异味，经检测各项指标正常，周边群众情绪稳定。", False, by=PARK, name="邓刚", cat="hazmat", loc="化工园区纬二路", cas={"injured": 0})
E("night-10", "听我邻居讲，北河那边的堤坝有个口子在漏水，不晓得严不严重。", True, ["s:听我邻居讲:H", "s:不晓得:U"], name="河口镇居民", phone="15037909876", cat="flood", loc="河口镇北河堤", cas={"injured": 0})
E("night-11", "城关镇报：一辆运煤车在镇区侧翻，煤炭散落路面约100米，驾驶员轻伤，道路正在清理。", False, ["s:约100:A"], by=CHENGGUAN, name="钱坤", cat="traffic", loc="城关镇北环路", cas={"injured": 1})
E("night-12", "石门乡卫生院：接诊发热病人二十多名，均来自同一个工地，原因待查。", False, ["s:二十多:A", "s:待查:U"], unit="石门乡卫生院", name="陆医生", phone="0379-6664321", cat="outbreak", loc="石门乡卫生院", cas={"injured": None})
E("night-13", "我在出租屋里闻到隔壁有焦味，敲门没人开，会不会出事了？", True, name="租户", phone="17737901234", cat="fire", loc="城关镇城中村42号", cas={"injured": None})
E("night-14", "县消防救援大队：河口镇一居民家中起火，救出被困人员1人，无人员死亡，火灾原因待调查。", False, ["s:待调查:U"], by=FIRE, name="韩冰", cat="fire", loc="河口镇和平街7号", cas={"dead": 0, "injured": 0})
E("night-15", "自称是矿上安全员的人打电话说井下透水，被困的大概有十几个人，电话就断了。", True, ["s:大概:G", "s:十几:A"], name="自称安全员", cat="work_safety", loc="石门乡某煤矿", occ=None, cas={"trapped": None})
E("night-16", "县水利局：北河水库水位超汛限0.5米，已开闸泄洪，下泄流量每秒200立方米，下游已预警。", False, by=WATER, name="高原", cat="flood", loc="北河水库", cas={"dead": 0})
E("night-17", "河口镇派出所：一名6岁女童在商场走失，已于22时40分找到，交家长领回。", False, unit="河口镇派出所", name="许峰", phone="0379-6652201", cat="missing_person", loc="河口镇某商场", cas={"missing": 0})
E("night-18", "一群人在村委会门口闹事，有好几百人，拿着棍子，说是要讨个说法。", True, ["s:好几百:A"], name="村民", phone="13703790002", cat="public_order", loc="河口镇东村村委会", cas={"injured": None})
E("night-19", "县住建局：城关镇一老旧小区外墙瓷砖脱落，砸坏车辆2辆，无人员伤亡，已设置警戒。", False, by=HOUSING, name="罗平", cat="collapse", loc="城关镇和平小区")
E("night-20", "县卫健委：县人民医院发热门诊接诊人数较前日增加一倍，以流感为主，无聚集性疫情。", False, by=HEALTH, name="曹阳", cat="outbreak", loc="县人民医院", cas={"injured": 0})

# ---------------------------------------------------------------- fields other than the summary
E("field-01", "城关镇一民房起火，火已扑灭。", False, ["m:大约:G", "r:一些:A"], by=FIRE, name="张伟", cat="fire", loc="城关镇北街", cas={"dead": 0}, measures="出动消防车2辆，大约用时20分钟扑灭", requests="请求调拨一些临时安置物资")
E("field-02", "山体滑坡阻断道路。", False, ["l:位置不详:U", "t:可能:G"], by=NATRES, name="顾伟", cat="geological", loc="石门乡某处，位置不详", told="可能已报告市自然资源局", cas={"dead": 0})
E("field-03", "河口镇一饭店燃气泄漏，已关阀。", True, ["o:八点多:A"], by=HEKOU, name="李强", cat="hazmat", loc="河口镇人民路", occ="晚上八点多", cas={"injured": 0})
E("field-04", "城关镇一小区停电，电梯困人。", True, ["o:刚才:U"], name="业主", phone="13803790001", cat="work_safety", loc="城关镇阳光小区", occ="刚才", cas={"trapped": 1})
E("field-05", "石门乡一学生溺水，已送医抢救。", False, ["t:尚未核实:H"], by=SHIMEN, name="吴敏", cat="missing_person", loc="石门乡水库", told="已报乡派出所，县教育局是否已知尚未核实", cas={"injured": 1})
E("field-06", "河口镇发生车祸，1人受伤。", False, ["o:大约:G", "o:左右:A"], by=TRAFFIC, name="唐亮", cat="traffic", loc="河口镇东环路", occ="大约22点左右", cas={"injured": 1})
E("field-07", "化工园区一企业冒烟。", False, ["m:估计:G", "l:大概:G"], by=PARK, name="邓刚", cat="hazmat", loc="纬三路附近大概200米处", measures="已派人前往，估计半小时到达", cas={"injured": 0})
E("field-08", "城关镇南街一商铺起火，火势已控制。", False, ["r:若干:A"], by=FIRE, name="赵磊", cat="fire", loc="城关镇南街", cas={"dead": 0}, requests="请求派救护车若干辆待命")

# ---------------------------------------------------------------- follow-ups and final reports
FIRST_TRAFFIC = {"summary": "S312线大货车与客车相撞，3人死亡，8人受伤。", "reporter": {"unit": "县公安局交通警察大队", "name": "杨帆", "phone": "0379-6652122"}, "occurred_at": T, "location": "S312线K45处", "category": "traffic", "level": "III", "casualties": {"dead": 3, "injured": 8}}
E("fu-01", "续报：伤者已全部送医，道路已恢复通行，死亡2人。", False, kind="follow_up", by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 2, "injured": 8}, level="III", earlier=[FIRST_TRAFFIC])
E("fu-02", "续报：经核实，此前死亡人数重复统计，实际死亡2人，受伤8人。", False, kind="follow_up", by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 2, "injured": 8}, level="III", earlier=[FIRST_TRAFFIC])
E("fu-03", "续报：又有一名伤者经抢救无效死亡，伤者中可能还有重伤员转院。", False, ["s:可能:G"], kind="follow_up", by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 4, "injured": 7}, level="III", earlier=[FIRST_TRAFFIC])
E("fu-04", "终报：事故现场已清理完毕，道路恢复通行，善后工作由城关镇负责。", False, kind="final", by=TRAFFIC, name="杨帆", cat="traffic", loc="S312线K45处", cas={"dead": 3, "injured": 8}, level="III", earlier=[FIRST_TRAFFIC])
FIRST_FIRE = {"summary": "城关镇幸福小区5号楼起火，被困10人。", "reporter": {"unit": "县消防救援大队", "name": "周涛", "phone": "0379-6651119"}, "occurred_at": T, "location": "城关镇幸福小区5号楼", "category": "fire", "casualties": {"trapped": 10}}
E("fu-05", "续报：被困人员已救出8人，尚有2人被困，据说在六楼。", False, ["s:据说:H"], kind="follow_up", by=FIRE, name="周涛", cat="fire", loc="城关镇幸福小区5号楼", cas={"trapped": 2, "injured": 3}, earlier=[FIRST_FIRE])
E("fu-06", "终报：明火已于1时20分扑灭，被困人员全部救出，3人轻伤。", False, kind="final", by=FIRE, name="周涛", cat="fire", loc="城关镇幸福小区5号楼", cas={"injured": 3, "trapped": 0}, earlier=[FIRST_FIRE])
E("fu-07", "续报：现场浓烟较大，搜救仍在进行，有几个房间还没搜到。", False, ["s:几:A"], kind="follow_up", by=FIRE, name="周涛", cat="fire", loc="城关镇幸福小区5号楼", earlier=[FIRST_FIRE])
FIRST_FLOOD = {"summary": "河口镇南河水位超警戒，已转移群众。", "reporter": {"unit": "县水利局", "name": "高原", "phone": "0379-6655310"}, "occurred_at": T, "location": "河口镇南河沿岸", "category": "flood", "casualties": {"dead": 0}}
E("fu-08", "续报：南河水位开始回落，转移群众已陆续返回，部分低洼地区仍有积水。", False, ["s:部分:A"], kind="follow_up", by=WATER, name="高原", cat="flood", loc="河口镇南河沿岸", earlier=[FIRST_FLOOD])
E("fu-09", "续报：北河出现新的险情，上游约5公里处堤防渗水。", False, ["s:约5:A"], kind="follow_up", by=WATER, name="高原", cat="flood", loc="石门乡北河上游", earlier=[FIRST_FLOOD])
E("fu-10", "终报：洪水已退，共转移群众1260人，无人员伤亡，直接经济损失正在统计。", False, kind="final", by=WATER, name="高原", cat="flood", loc="河口镇南河沿岸", earlier=[FIRST_FLOOD])

# ---------------------------------------------------------------- more callers (authority and not)
E("more-01", "县自然资源局：石门乡大青山地质灾害隐患点监测数据异常，已提前转移受威胁群众23户。", False, by=NATRES, name="顾伟", cat="geological", loc="石门乡大青山隐患点", cas={"dead": 0})
E("more-02", "我是镇上开超市的，听说南河桥被冲垮了，好多车过不去。", True, ["s:听说:H", "s:好多:A"], unit="个体超市", name="王老板", phone="13603790123", cat="flood", loc="河口镇南河桥", cas={"injured": 0})
E("more-03", "县市场监督管理局：城关镇一蛋糕店售出的蛋糕致12名顾客腹泻，已责令停业，样品送检。", False, by=MARKET, name="苏明", cat="food_safety", loc="城关镇北街某蛋糕店", cas={"injured": 12})
E("more-04", "小区的狗咬了人，好像是条流浪狗，被咬的人去打针了。", True, ["s:好像:G"], name="居民", phone="18603791234", cat="other", loc="城关镇和平小区", cas={"injured": 1})
E("more-05", "石门乡：前沟村一户村民家中发生煤气中毒，2人送医，1人死亡。", True, by=SHIMEN, name="吴敏", cat="hazmat", loc="石门乡前沟村", cas={"dead": 1, "injured": 1})
E("more-06", "城关镇派出所：某小区有人跳楼，已送医，伤势不明。", False, ["s:不明:U"], unit="城关镇派出所", name="宋佳", phone="0379-6652111", cat="public_order", loc="城关镇阳光小区", cas={"injured": 1})
E("more-07", "网友在群里说县一中有学生打架，好像有人被打伤了，视频已经传开了。", True, ["s:网友在群里说:H", "s:好像:G"], name="学生家长群", cat="public_order", loc="县第一中学", occ=None)
E("more-08", "县气象局：今日最低气温零下12度，道路结冰，提醒各地做好防冻工作。", False, by=METEO, name="蒋雨", cat="weather", loc="全县", cas={"dead": 0})
E("more-09", "县疾控中心：城关镇报告水痘病例6例，均为同一小学学生，已居家隔离。", False, by=CDC, name="黄芳", cat="outbreak", loc="城关镇第三小学", cas={"injured": 6})
E("more-10", "有个老太太坐在高速上不走，车都绕着开，挺危险的。", True, name="过路司机", phone="15937901000", cat="traffic", loc="G55高速城关出口", cas={"injured": 0})
E("more-11", "河口镇：镇东村一农户家中土坯房倒塌，1名老人被埋，已救出送医，伤情不明显。", False, by=HEKOU, name="李强", cat="collapse", loc="河口镇东村", cas={"injured": 1, "trapped": 0})
E("more-12", "城关镇中心小学：学校食堂午餐后有学生腹痛，人数约十人，已通知家长。", True, ["s:约十:A"], unit="城关镇中心小学", name="校长", phone="13703791234", cat="food_safety", loc="城关镇中心小学", cas={"injured": 10})
E("more-13", "县公安局：有人在网上发布县城水库溃坝的谣言，经核实系谣言，已约谈发布者。", False, by=POLICE, name="林海", cat="public_order", loc="网络", cas={"dead": 0})
E("more-14", "我们厂隔壁的化工厂好像着火了，烟是黑的，看不清楚。", True, ["s:好像:G", "s:不清楚:U"], unit="园区某物流公司", name="门卫", phone="13903790999", cat="fire", loc="化工园区", cas={"injured": None})
E("more-15", "县消防救援大队：城关镇一居民楼电动车充电起火，烧毁电动车4辆，1人吸入烟雾送医观察。", False, by=FIRE, name="郑凯", cat="fire", loc="城关镇建设路12号楼道", cas={"injured": 1})

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "reports.jsonl"), "w", encoding="utf-8") as f:
    for r in OUT:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(OUT), "reports")

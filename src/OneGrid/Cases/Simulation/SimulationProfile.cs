namespace OneGrid.Cases.Simulation;

/// <summary>
/// The shape of a simulated city's year: how often each category is reported, when in the day, how grids differ, and
/// the words of the reports. The proportions follow what digital urban-management centres publish (the street-order
/// and environment categories — exposed rubbish, street vending, parking, small ads — make most of the volume; utility
/// parts such as manhole covers and street lights a steady tenth; emergencies and disputes are rare), not a survey of
/// one city. Categories a deployment added to its catalog get <see cref="DefaultCategoryWeight"/>.
/// </summary>
public static class SimulationProfile
{
    /// <summary>Relative frequency by category code of the shipped catalog (per mille of reports, roughly).</summary>
    public static readonly IReadOnlyDictionary<string, double> CategoryWeights = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["0102"] = 120, // 暴露垃圾
        ["0501"] = 85,  // 占道经营
        ["0503"] = 75,  // 机动车乱停放
        ["0504"] = 65,  // 非机动车乱停放
        ["0201"] = 55,  // 非法小广告
        ["0104"] = 45,  // 道路不洁
        ["0502"] = 40,  // 店外经营
        ["0103"] = 30,  // 积存垃圾渣土
        ["0601"] = 30,  // 井盖破损或缺失
        ["0602"] = 30,  // 路灯故障
        ["0506"] = 20,  // 沿街晾挂
        ["0303"] = 18,  // 道路遗撒
        ["0110"] = 20,  // 噪声扰民
        ["0702"] = 20,  // 人行道破损
        ["0701"] = 15,  // 道路破损
        ["0606"] = 15,  // 垃圾箱破损
        ["0101"] = 15,  // 私搭乱建
        ["1303"] = 15,  // 电动自行车违规充电
        ["0109"] = 12,  // 餐饮油烟
        ["1301"] = 12,  // 消防安全隐患
        ["1101"] = 12,  // 邻里纠纷
        ["1406"] = 12,  // 居民其他诉求
        ["0301"] = 10,  // 施工扰民
        ["0302"] = 10,  // 工地扬尘
        ["0204"] = 10,  // 街头散发广告
        ["0803"] = 10,  // 树木枝叶遮挡
        ["1102"] = 10,  // 物业纠纷
        ["0404"] = 8,   // 下水道堵塞
        ["1003"] = 8,   // 出租房屋隐患
        ["0505"] = 8,   // 占道废品收购
        ["0604"] = 8,   // 雨水篦子破损
        ["0605"] = 6,   // 公厕设施损坏
        ["0705"] = 6,   // 护栏损坏
        ["0802"] = 6,   // 绿地损毁
        ["1201"] = 6,   // 食品安全
        ["1306"] = 6,   // 高空坠物隐患
        ["0401"] = 1,   // 路面塌陷
        ["0403"] = 1,   // 燃气泄漏
        ["0407"] = 1,   // 火情
    };

    public const double DefaultCategoryWeight = 3;

    /// <summary>
    /// Reports per local hour (0–23) relative to each other: grid workers patrol in working hours (the two peaks), residents
    /// add the evening, little comes in at night.
    /// </summary>
    public static readonly double[] HourWeights =
    [
        0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 1.2, 2.6, 3.6, 3.8, 3.0,
        1.8, 2.0, 3.2, 3.5, 3.3, 2.6, 1.6, 1.4, 1.3, 1.0, 0.6, 0.3,
    ];

    /// <summary>A day off (weekend or holiday, per the working calendar) brings this share of a working day's reports.</summary>
    public const double DayOffFactor = 0.45;

    /// <summary>
    /// Grids are drawn to hold similar numbers of households, so each starts equal; a log-normal factor of this spread makes
    /// hot spots (markets, old housing, busy streets): the busiest tenth of the grids gets about a third of the reports.
    /// </summary>
    public const double GridSpread = 0.9;

    // Who reports: most cases come from grid workers' patrols (巡查), then residents, couriers and other systems.
    public const double GridWorkerShare = 0.62, ResidentShare = 0.26, CourierShare = 0.07;

    /// <summary>Of grid workers' reports of minor matters, the share handled on the spot (自处置).</summary>
    public const double SelfHandledShare = 0.12;

    public static readonly string[] Roads =
    [
        "江南大道", "滨盛路", "长河路", "江陵路", "西兴路", "闻涛路", "东信大道", "火炬大道", "浦沿路", "春波路", "越达巷", "江虹路",
        "滨文路", "滨康路", "建业路", "秋溢路", "月明路", "信诚路", "时代大道", "东冠路", "丹枫路", "聚才路", "古墩路", "文一路",
        "文二路", "学院路", "莫干山路", "湖墅南路", "凤起路", "庆春路", "解放路", "延安路", "中山路", "环城北路", "天目山路", "余杭塘路",
    ];

    public static readonly string[] Spots =
    [
        "小区东门", "小区西门", "小区南门", "菜场门口", "公交站旁", "地铁口", "商铺门口", "十字路口", "幼儿园门口", "学校门口",
        "停车场出入口", "沿街店铺前", "绿化带边", "桥下", "河道边", "公园入口", "超市门口", "农贸市场旁", "小区内道路", "单元楼下",
    ];

    public static readonly string[] Urgency =
    [
        "", "，请尽快处理", "，影响居民出行", "，已持续数天", "，居民多次反映", "，存在安全隐患", "，请相关部门处理", "，影响市容",
    ];

    /// <summary>Phrases for the common categories; the rest are described by their name.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Phrases = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["0102"] = ["有一堆暴露垃圾", "垃圾桶满溢，垃圾散落一地", "有人乱扔垃圾", "生活垃圾堆放未清运"],
        ["0501"] = ["有流动摊贩占道经营", "有人摆地摊卖水果", "小贩占用人行道摆摊", "早点摊占道经营"],
        ["0503"] = ["有机动车违停", "汽车乱停堵住消防通道", "车辆违章停车占用人行道", "多辆汽车乱停"],
        ["0504"] = ["共享单车乱停放", "电瓶车乱停堵住通道", "单车堆放占道", "自行车乱停影响通行"],
        ["0201"] = ["墙面被贴满小广告", "电线杆上有牛皮癣小广告", "有人乱贴乱涂", "楼道里被喷涂小广告"],
        ["0104"] = ["路面脏，有大片油污", "道路不洁，泥浆满地", "路面有污渍未清扫", "道路上有大量落叶杂物"],
        ["0502"] = ["店铺出店经营", "饭店在门外摆桌跨门营业", "水果店占道出店经营"],
        ["0103"] = ["有建筑垃圾渣土堆积", "积存垃圾长时间未清理", "装修垃圾堆放在路边"],
        ["0601"] = ["井盖破损", "井盖缺失，很危险", "窨井盖松动有响声", "井盖下沉"],
        ["0602"] = ["路灯不亮", "路灯故障，晚上一片漆黑", "路灯白天一直亮着", "多盏路灯不亮"],
        ["0506"] = ["沿街晾晒衣物", "在护栏上晾挂被子"],
        ["0303"] = ["渣土车遗撒", "路面有泥头车撒漏的泥土"],
        ["0110"] = ["夜间噪音扰民", "店铺音响太吵", "广场舞噪声扰民"],
        ["0702"] = ["人行道地砖破损", "盲道被破坏", "人行道塌陷"],
        ["0701"] = ["路面破损有坑洼", "道路出现大坑", "路面坑洼积水"],
        ["0606"] = ["垃圾箱破损", "果壳箱坏了"],
        ["0101"] = ["有人私搭乱建棚子", "楼顶乱搭建"],
        ["1303"] = ["楼道里电瓶车充电", "有人飞线充电", "电动车在楼道充电"],
        ["0109"] = ["餐饮店油烟扰民", "饭店排烟直排"],
        ["1301"] = ["消防通道被堵", "安全出口被锁", "灭火器过期"],
        ["1101"] = ["楼上楼下邻里纠纷", "邻居因漏水发生纠纷"],
        ["0404"] = ["下水道堵塞污水外溢", "下水道返水"],
        ["0403"] = ["闻到很浓的燃气味，疑似燃气泄漏", "煤气泄漏"],
        ["0407"] = ["发现着火冒烟", "垃圾桶起火"],
    };

    public static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"];

    public static readonly string[] GivenNames =
    [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
        "建华", "晓燕", "志强", "海燕", "丽华", "建国", "小红", "文杰", "思远", "雨涵",
    ];

    public static readonly string[] HandlingResults =
    [
        "已清理完毕", "已整改到位", "已劝离并教育", "已修复", "已更换", "已联系相关单位处理完毕", "已现场处置", "已责令整改，复查合格",
        "已清运", "已拆除", "已调解，双方达成一致", "已告知并登记，后续跟进",
    ];

    public static readonly string[] ReturnReasons = ["不属于本部门职责", "地址不详，无法处置", "应由属地处理"];

    public static readonly string[] ReworkReasons = ["现场未整改到位", "问题复发", "处置照片与现场不符"];

    public static readonly string[] RejectReasons = ["经核实不属实", "重复上报", "不属于受理范围"];

    public static readonly string[] EscalateReasons = ["需要街道协调多部门", "超出社区处置能力", "涉及多个社区"];

    public static readonly string[] ExtensionReasons = ["需要采购材料", "需要协调产权单位", "天气原因无法施工"];

    public static readonly string[] SuspensionReasons = ["等待计划内工程实施", "涉及司法程序", "等待产权确认"];
}

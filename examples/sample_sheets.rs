//! Writes the spreadsheets the samples' requirements were imported from:
//! the doors-zh contract review sheet (合同评审表, .xlsx) and the
//! auto-parts-en requirements list from Huaxing's supplier portal (.csv).
//!
//! `cargo run --example sample_sheets` rewrites both; the output is the
//! same for the same code (fixed creation time), so a diff shows a change.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

/// 编号, 评审项目, 顾客要求, 具体要求, 来源/条款, 法规依据, 要求类型, 提出方,
/// 转设计输入, 说明, 能否满足, 评审意见, 评审人.
type DoorRow = [&'static str; 13];

const DOORS: &[DoorRow] = &[
    [
        "5",
        "节能性能",
        "整窗传热系数 K ≤ 2.0 W/(m²·K)",
        "招标文件写 K ≤ 2.0,所附节能计算书写 K ≤ 2.2;经招标答疑纪要第2号确认以 2.0 为准。",
        "招标文件 第三章 技术要求 3.3.4条;招标答疑纪要 第2号",
        "",
        "明示的",
        "江南置业",
        "",
        "",
        "是",
        "招标答疑纪要第2号确认 K ≤ 2.0,澄清关闭",
        "技术部 陈志远",
    ],
    [
        "8",
        "售后服务",
        "门窗工程保修期5年,自竣工验收合格之日起计算",
        "",
        "施工合同 第12.1条",
        "",
        "明示的",
        "",
        "否",
        "售后服务条款,由客服部按《售后服务管理程序》执行,不涉及设计",
        "是",
        "",
        "销售部 王明",
    ],
    [
        "9",
        "交付资料",
        "交付时向业主提供《门窗使用维护说明书》",
        "说明书应包括日常清洁、五金件润滑、排水孔疏通、密封胶条更换及保修联系方式。",
        "施工合同 第9.3条",
        "",
        "明示的",
        "",
        "",
        "",
        "是",
        "",
        "销售部 王明",
    ],
    [
        "10",
        "外观",
        "型材外侧深灰色(RAL 7016)氟碳喷涂,内侧白色粉末喷涂",
        "甲方在技术交底会上口头提出,未形成会议纪要编号。",
        "",
        "",
        "明示的",
        "",
        "",
        "",
        "是",
        "氟碳喷涂由型材供应商完成,交期增加7天",
        "生产部 李强",
    ],
    [
        "12",
        "安全",
        "7层及以上外窗开启扇设置开启限位装置",
        "防儿童坠落。限位后的开启宽度未明确(100 mm 还是 150 mm),需甲方设计院确认。",
        "施工合同 附件1 补充技术要求 第4条",
        "",
        "明示的",
        "",
        "",
        "",
        "待确认",
        "限位开启宽度待甲方设计院书面确认",
        "技术部 陈志远",
    ],
    [
        "13",
        "性能检测",
        "外门窗气密、水密、抗风压性能按国家标准检测并分级",
        "外窗、阳台门的三性等级以具备资质的检测机构按 GB/T 7106 出具的报告为准。",
        "",
        "GB/T 7106-2019《建筑外门窗气密、水密、抗风压性能检测方法》第4章 分级",
        "法律法规的",
        "",
        "",
        "",
        "是",
        "",
        "质量部 张红",
    ],
    [
        "14",
        "节能验收",
        "节能工程外窗进场复验及现场实体检验",
        "外窗传热系数、气密性、中空玻璃露点、玻璃遮阳系数、可见光透射比进场复验;外窗气密性现场实体检验。",
        "",
        "GB 50411-2019《建筑节能工程施工质量验收标准》第6.2.2条、附录F",
        "法律法规的",
        "",
        "",
        "",
        "是",
        "",
        "",
    ],
    [
        "15",
        "产品质量",
        "铝合金门窗产品质量符合国家标准",
        "外窗主型材基材壁厚 ≥ 1.8 mm,外门主型材基材壁厚 ≥ 2.2 mm。",
        "",
        "GB/T 8478-2020《铝合金门窗》第5章 要求(5.1.2 型材壁厚)",
        "法律法规的",
        "",
        "",
        "",
        "是",
        "",
        "",
    ],
    [
        "16",
        "安全",
        "7层及以上建筑外开窗、单块面积大于1.5 m²的窗玻璃必须使用安全玻璃",
        "技术部在评审时识别,但未记录所依据的法规名称和条款。",
        "",
        "",
        "法律法规的",
        "",
        "",
        "",
        "是",
        "全部外窗统一采用钢化中空玻璃",
        "",
    ],
    [
        "17",
        "五金耐久",
        "开启扇五金件满足住宅长期频繁启闭使用",
        "合同未明示,但住宅外窗在10年以上使用期内每天启闭,五金耐久是预期用途所必需的。",
        "同类住宅项目回访记录(2022—2023年),执手、合页松动为主要报修项",
        "",
        "隐含的",
        "业主",
        "",
        "",
        "是",
        "",
        "技术部 陈志远",
    ],
    [
        "18",
        "使用功能",
        "所有开启扇配置隐形纱窗",
        "项目临江,夏季蚊虫多,业主默认开启扇带纱窗。",
        "同类楼盘市场调研(2024年3月);业主普遍预期",
        "",
        "隐含的",
        "",
        "",
        "",
        "是",
        "纱窗外购成品,由采购部询价",
        "销售部 王明",
    ],
    [
        "19",
        "隔声",
        "7#楼临街住宅外窗空气声隔声性能 Rw+Ctr ≥ 30 dB",
        "7#楼紧邻城市主干道,临街卧室外窗须满足隔声要求。7#楼门窗计划于2025年第二季度供货。",
        "",
        "GB 50118-2010《民用建筑隔声设计规范》第4.2.6条",
        "法律法规的",
        "",
        "",
        "",
        "是",
        "7#楼为临街住宅,需单独送检隔声性能",
        "质量部 张红",
    ],
];

const DOOR_HEADERS: [&str; 13] = [
    "编号",
    "评审项目",
    "顾客要求",
    "具体要求",
    "来源/条款",
    "法规依据",
    "要求类型",
    "提出方",
    "转设计输入",
    "说明",
    "能否满足",
    "评审意见",
    "评审人",
];

fn doors(path: &str) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("合同评审表 HA-HT-2024-032")
            .set_author("华安门窗 销售部")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 5, 15)?),
    );
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let label = Format::new().set_bold();
    let plain = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("D9E1F2");
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let date = Format::new()
        .set_num_format("yyyy年m月d日")
        .set_align(FormatAlign::Left);

    let info = wb.add_worksheet();
    info.set_name("填表说明")?;
    for (r, line) in [
        "合同评审表填表说明(《合同管理程序》HA-QP-7.2-03 附表3)",
        "1. 编号沿用顾客要求清单的编号,评审过程中不得更改;新增要求续编。",
        "2. 要求类型填:明示的 / 隐含的 / 法律法规的 / 组织附加的。",
        "3. 能否满足填:是 / 否 / 待确认 / 有条件满足;选“待确认”“有条件满足”的须在评审意见中说明。",
        "4. 不需转化为设计输入的要求,在“转设计输入”填“否”并在“说明”中写明理由。",
        "5. 评审完成后由参加评审人员会签,报总经理批准。",
    ]
    .iter()
    .enumerate()
    {
        info.write_string(r as u32, 0, *line)?;
    }
    info.set_column_width(0, 90)?;

    let ws = wb.add_worksheet();
    ws.set_name("评审表")?;
    ws.merge_range(0, 0, 0, 12, "合同评审表", &title)?;
    ws.write_string_with_format(1, 0, "合同编号:", &label)?;
    ws.merge_range(1, 1, 1, 2, "HA-HT-2024-032", &plain)?;
    ws.write_string_with_format(1, 3, "顾客名称:", &label)?;
    ws.merge_range(1, 4, 1, 5, "江南置业有限公司", &plain)?;
    ws.write_string_with_format(1, 6, "评审编号:", &label)?;
    ws.write_string(1, 7, "REV-002")?;
    ws.write_string_with_format(1, 9, "交货期:", &label)?;
    ws.merge_range(1, 10, 1, 12, "2024年8月至2025年6月分批交付", &plain)?;
    ws.write_string_with_format(2, 0, "评审名称:", &label)?;
    ws.merge_range(2, 1, 2, 5, "滨江花园二期门窗工程施工合同 合同评审", &plain)?;
    ws.write_string_with_format(2, 6, "评审日期:", &label)?;
    ws.write_datetime_with_format(2, 7, ExcelDateTime::from_ymd(2024, 5, 15)?, &date)?;
    ws.write_string_with_format(3, 0, "评审说明:", &label)?;
    ws.merge_range(
        3,
        1,
        3,
        12,
        "评审依据《合同管理程序》。同时确认招标阶段待澄清事项及适用的法律法规要求。",
        &plain,
    )?;
    for (c, h) in DOOR_HEADERS.iter().enumerate() {
        ws.write_string_with_format(5, c as u16, *h, &head)?;
    }
    // Rows from 7; a blank row before the legal requirements.
    let mut r = 6u32;
    let mut at = Vec::new();
    for row in DOORS {
        if row[0] == "13" {
            r += 1;
        }
        at.push(r);
        for (c, v) in row.iter().enumerate() {
            match c {
                0 => {
                    ws.write_number_with_format(r, 0, v.parse::<f64>().expect("a number"), &cell)?
                }
                _ => ws.write_string_with_format(r, c as u16, *v, &cell)?,
            };
        }
        r += 1;
    }
    // Merged cells, as the sheet was kept: 提出方 江南置业 over the first
    // five rows, 业主 over two; 评审人 质量部 张红 over the four legal rows.
    ws.merge_range(at[0], 7, at[4], 7, "江南置业", &cell)?;
    ws.merge_range(at[9], 7, at[10], 7, "业主", &cell)?;
    ws.merge_range(at[5], 12, at[8], 12, "质量部 张红", &cell)?;
    r += 1;
    ws.merge_range(
        r,
        0,
        r,
        12,
        "评审结论:除第12项限位开启宽度待甲方设计院书面确认外,其余要求均能满足,同意签订合同。",
        &plain,
    )?;
    ws.write_string_with_format(r + 1, 0, "参加评审人员:", &label)?;
    ws.merge_range(
        r + 1,
        1,
        r + 1,
        8,
        "销售部 王明、技术部 陈志远、生产部 李强、质量部 张红、工程部 赵刚",
        &plain,
    )?;
    ws.write_string_with_format(r + 2, 0, "批准:", &label)?;
    ws.write_string(r + 2, 1, "总经理")?;
    ws.write_string_with_format(r + 2, 6, "日期:", &label)?;
    for (c, w) in [6, 10, 26, 36, 26, 30, 10, 9, 8, 24, 9, 26, 14]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(6, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    wb.save(path)
}

const HUAXING_HEADERS: [&str; 10] = [
    "Item",
    "Requirement",
    "Details",
    "Type",
    "Customer",
    "Source document",
    "Regulation",
    "PPAP level",
    "Design work",
    "No design work because",
];

const HUAXING: &[[&str; 10]] = &[
    [
        "1",
        "Friction coefficient: normal 0.38-0.45, hot (fade) >= 0.30",
        "",
        "Customer requirement",
        "Huaxing Automobile",
        "Drawing HX-35101-S5 rev C, note 4",
        "",
        "",
        "",
        "",
    ],
    [
        "2",
        "PPAP submission level 3, approved before SOP",
        "PSW with full supporting data: DFMEA, PFMEA, control plan, MSA, dimensional and material/performance results, capability studies.",
        "Customer requirement",
        "Huaxing Automobile",
        "Huaxing Supplier Quality Manual HX-SQM-2023, section 6.2",
        "",
        "3",
        "",
        "",
    ],
    [
        "3",
        "Delivered quality <= 50 PPM (12-month rolling)",
        "Parts rejected at Huaxing incoming inspection or on the line, per million parts delivered.",
        "Customer requirement",
        "Huaxing Automobile",
        "Huaxing Supplier Quality Manual HX-SQM-2023, section 8.1",
        "",
        "",
        "",
        "",
    ],
    [
        "4",
        "No brake squeal above 70 dB in the SAE J2521 noise matrix",
        "",
        "Customer requirement",
        "Huaxing Automobile",
        "Technical agreement HX-TA-S5, section 5.3",
        "",
        "",
        "",
        "",
    ],
    [
        "5",
        "Backplate corrosion resistance: no red rust after 120 h neutral salt spray",
        "Was 72 h until ECN HX-ECN-2025-014 (see CHG-001).",
        "Customer requirement",
        "Huaxing Automobile",
        "Technical agreement HX-TA-S5, section 5.6, as amended by ECN HX-ECN-2025-014",
        "",
        "",
        "",
        "",
    ],
    [
        "6",
        "Brake linings asbestos-free and meeting the national friction performance classes",
        "",
        "Statutory",
        "",
        "",
        "GB 5763-2018 Brake linings for automobiles, clauses 4.1 and 4.3",
        "",
        "",
        "",
    ],
    [
        "7",
        "Material data submitted and accepted in IMDS",
        "IMDS ID 0987654 was rejected by Huaxing (missing recycled-content data); resubmission pending.",
        "Customer requirement",
        "Huaxing Automobile",
        "Huaxing Supplier Quality Manual HX-SQM-2023, section 5.4",
        "",
        "",
        "No",
        "Data entry from the bill of materials and supplier material declarations; no design work",
    ],
];

fn huaxing(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    // As the portal exports it: UTF-8 with a byte-order mark, CRLF line ends.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(HUAXING_HEADERS)?;
        for row in HUAXING {
            w.write_record(row)?;
        }
        w.flush()?;
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    doors(&format!(
        "{root}/samples/doors-zh/contracts/合同评审表-HA-HT-2024-032.xlsx"
    ))?;
    huaxing(&format!(
        "{root}/samples/auto-parts-en/contracts/huaxing-s5-requirements.csv"
    ))?;
    Ok(())
}

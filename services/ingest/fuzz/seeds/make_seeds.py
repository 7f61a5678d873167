#!/usr/bin/env python3
"""Write the generated seeds of validate_bytes: a tiny xlsx and ods, stored uncompressed so that libFuzzer's
mutations reach the sheet XML, and (when xlwt is installed) a tiny xls.

    python3 services/ingest/fuzz/seeds/make_seeds.py   # writes into seeds/validate_bytes/
"""
import os
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_bytes")
CT='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'''
RELS='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'''
WB='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Initiatives" sheetId="1" r:id="rId1"/></sheets></workbook>'''
WBRELS='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'''
STYLES='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'''
SST='''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>Title</t></si><si><t>Country</t></si><si><t>Start date</t></si><si><t>Budget</t></si><si><t>Border management in the Sahel</t></si><si><t>Senegal</t></si></sst>'''
def sheet(extra_cell=''):
    return '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row><row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" s="1"><v>44033</v></c><c r="D2" t="inlineStr"><is><t>1 200 000 EUR</t></is></c></row><row r="3"><c r="A3"><f>A2</f><v>0</v></c><c r="B3" t="str"><v>SEN</v></c><c r="C3"><v>15.5</v></c>%s</row></sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells></worksheet>''' % extra_cell
MAN='''<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'''
def content(body):
    return '''<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Initiatives">%s</table:table></office:spreadsheet></office:body></office:document-content>''' % body
NORMAL='''<table:table-column table:number-columns-repeated="4"/><table:table-row><table:table-cell office:value-type="string"><text:p>Title</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Country</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Start date</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Budget</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string" table:number-rows-spanned="2"><text:p>Border management</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Senegal</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2020-07-21"><text:p>21/07/2020</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1200000"><text:p>1200000</text:p></table:table-cell></table:table-row><table:table-row><table:covered-table-cell/><table:table-cell office:value-type="string"><text:p>SEN</text:p></table:table-cell><table:table-cell table:formula="of:=[.C2]" office:value-type="date" office:date-value="2020-07-21"><text:p>21/07/2020</text:p></table:table-cell></table:table-row>'''


def main():
    with zipfile.ZipFile(os.path.join(OUT, "mini_stored.xlsx"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/sharedStrings.xml", SST)
        z.writestr("xl/worksheets/sheet1.xml", sheet())
    with zipfile.ZipFile(os.path.join(OUT, "mini_stored.ods"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MAN)
        z.writestr("content.xml", content(NORMAL))
    try:
        import xlwt
    except ImportError:
        print("xlwt is not installed: mini.xls not written")
        return
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Initiatives")
    for c, h in enumerate(["Title", "Country", "Start date", "Budget"]):
        ws.write(0, c, h)
    ws.write(1, 0, "Border management")
    ws.write(1, 1, "Senegal")
    ws.write(1, 2, 44033.0, xlwt.easyxf(num_format_str="dd/mm/yyyy"))
    ws.write(1, 3, "1 200 000 EUR")
    ws.write_merge(2, 3, 0, 1, "merged")
    wb.save(os.path.join(OUT, "mini.xls"))


if __name__ == "__main__":
    main()

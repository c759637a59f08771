// Reads a workbook with exceljs (an independent reader); prints one JSON
// object per line: the document properties, then each sheet's row count.
const ExcelJS = require('exceljs');

(async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[2]);
  console.log(JSON.stringify({ props: { creator: wb.creator, lastModifiedBy: wb.lastModifiedBy, title: wb.title } }));
  wb.eachSheet((ws) => {
    let last = 0;
    ws.eachRow({ includeEmpty: false }, (row, n) => { last = n; });
    console.log(JSON.stringify({ sheet: ws.name, rows: last, columns: ws.columnCount }));
  });
})().catch((err) => { console.error(err); process.exit(1); });

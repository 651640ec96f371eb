using System.Text;

namespace OneGrid.Territory.Import;

/// <summary>One row of a divisions file: <c>code,name,level,parent_code</c>.</summary>
public sealed record DivisionRow(int Line, string Code, string Name, UnitLevel Level, string? ParentCode, string? NameEn = null);

/// <summary>Reads the divisions CSV (RFC 4180 quoting; an optional name_en column).</summary>
public static class DivisionsCsv
{
    public static (List<DivisionRow> Rows, List<ImportProblem> Problems) Parse(TextReader reader)
    {
        var rows = new List<DivisionRow>();
        var problems = new List<ImportProblem>();
        var header = reader.ReadLine();
        if (header is null)
        {
            problems.Add(new ImportProblem(ImportProblemKind.Format, 1, null, "文件为空", "The file is empty"));
            return (rows, problems);
        }
        var columns = SplitLine(header.TrimStart('\uFEFF')).Select(c => c.Trim().ToLowerInvariant()).ToList();
        int Col(string name) => columns.IndexOf(name);
        var (iCode, iName, iLevel, iParent, iNameEn) = (Col("code"), Col("name"), Col("level"), Col("parent_code"), Col("name_en"));
        if (iCode < 0 || iName < 0 || iLevel < 0 || iParent < 0)
        {
            problems.Add(new ImportProblem(ImportProblemKind.Format, 1, null,
                "表头必须包含 code,name,level,parent_code", "The header must have the columns code,name,level,parent_code"));
            return (rows, problems);
        }

        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = SplitLine(line);
            string Field(int i) => i >= 0 && i < f.Count ? f[i].Trim() : "";
            var code = Field(iCode);
            var name = Field(iName);
            var levelText = Field(iLevel);
            var parent = Field(iParent);
            if (code.Length == 0 || code.Length > 32 || !code.All(char.IsAsciiLetterOrDigit))
            {
                problems.Add(new ImportProblem(ImportProblemKind.Format, lineNo, code,
                    $"编码“{code}”无效（应为字母或数字，最长 32 位）", $"Invalid code '{code}' (letters and digits, at most 32)"));
                continue;
            }
            if (name.Length == 0)
            {
                problems.Add(new ImportProblem(ImportProblemKind.Format, lineNo, code, "名称为空", "The name is empty"));
                continue;
            }
            if (!UnitLevels.TryParse(levelText, out var level))
            {
                problems.Add(new ImportProblem(ImportProblemKind.Format, lineNo, code,
                    $"层级“{levelText}”无效（city、district、street、community、grid、building）",
                    $"Invalid level '{levelText}' (city, district, street, community, grid, building)"));
                continue;
            }
            var nameEn = Field(iNameEn);
            rows.Add(new DivisionRow(lineNo, code, name, level, parent.Length == 0 ? null : parent, nameEn.Length == 0 ? null : nameEn));
        }
        return (rows, problems);
    }

    public static List<string> SplitLine(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        fields.Add(sb.ToString());
        return fields;
    }

    /// <summary>The divisions of Hangzhou shipped with OneGrid (ReferenceData/divisions.csv).</summary>
    public static List<DivisionRow> Hangzhou()
    {
        using var reader = new StreamReader(Kernel.ReferenceData.Open(Kernel.ReferenceData.Divisions));
        var (rows, problems) = Parse(reader);
        if (problems.Count > 0) throw new InvalidOperationException("Shipped divisions are broken: " + problems[0]);
        return rows;
    }
}

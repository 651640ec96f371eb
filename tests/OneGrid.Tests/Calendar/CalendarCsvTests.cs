using OneGrid.Calendar;
using OneGrid.Kernel;

namespace OneGrid.Tests.Calendar;

public sealed class CalendarCsvTests
{
    private static (List<CalendarDay> Days, List<CalendarProblem> Problems, List<CalendarProblem> Warnings) Parse(string csv) =>
        CalendarCsv.Parse(new StringReader(csv));

    [Fact]
    public void The_shipped_file_is_clean_and_covers_2004_to_2026()
    {
        var (days, problems, warnings) = Parse(ReferenceData.ReadAllText(ReferenceData.StatutoryDays));
        Assert.Empty(problems);
        Assert.Empty(warnings);
        Assert.Equal(Enumerable.Range(2004, 23), days.Select(d => d.Date.Year).Distinct().Order());
        var nationalDay = days.Single(d => d.Date == new DateOnly(2026, 10, 1));
        Assert.Equal((CalendarDayKind.Holiday, "国庆节", "National Day"), (nationalDay.Kind, nationalDay.NameZh, nationalDay.NameEn));
        Assert.Equal(CalendarDayKind.Workday, days.Single(d => d.Date == new DateOnly(2026, 10, 10)).Kind);
    }

    [Fact]
    public void Every_bad_row_is_listed_with_its_line()
    {
        var (days, problems, _) = Parse(
            "date,kind,name_en,name_zh\n" +
            "2027-01-01,holiday,New Year's Day,元旦\n" +  // 2: fine
            "2027-02-30,holiday,Spring Festival,春节\n" + // 3: no such date
            "2027/02/06,holiday,Spring Festival,春节\n" + // 4: wrong format
            "2027-02-07,off,Spring Festival,春节\n" +     // 5: unknown kind
            "2027-01-01,workday,New Year's Day,元旦\n" +  // 6: contradicts line 2
            "2027-01-01,holiday,New Year's Day,元旦\n");  // 7: repeats line 2: harmless
        Assert.Equal([3, 4, 5, 6], problems.Select(p => p.Line));
        Assert.Contains("line 2", problems[^1].MessageEn);
        Assert.Single(days);
    }

    [Fact]
    public void Columns_are_found_by_the_header_names_may_be_quoted_and_a_BOM_is_ignored()
    {
        var (days, problems, _) = Parse("\uFEFFkind,date,name_zh,name_en\r\nholiday,2027-10-01,国庆节,\"National Day, first\"\r\n\r\n");
        Assert.Empty(problems);
        var day = Assert.Single(days);
        Assert.Equal((new DateOnly(2027, 10, 1), "National Day, first"), (day.Date, day.NameEn));
    }

    [Theory]
    [InlineData("")]
    [InlineData("date,kind\n")]
    [InlineData("day,type\n2027-01-01,holiday\n")]
    public void A_file_without_the_header_or_without_days_is_a_problem(string csv) =>
        Assert.NotEmpty(Parse(csv).Problems);

    [Fact]
    public void A_make_up_working_day_on_a_weekday_is_a_warning_because_it_changes_nothing()
    {
        // Wed 2027-01-06 is a working day anyway.
        var (days, problems, warnings) = Parse("date,kind\n2027-01-06,workday\n");
        Assert.Empty(problems);
        Assert.Single(days);
        Assert.Equal(2, Assert.Single(warnings).Line);
    }
}

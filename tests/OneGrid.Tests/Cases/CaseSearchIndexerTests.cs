using Microsoft.EntityFrameworkCore;
using OneGrid.Cases;
using OneGrid.Cli;
using OneGrid.Persistence;
using OneGrid.Tests.Cli;

namespace OneGrid.Tests.Cases;

/// <summary>
/// SQLite's search tables are filled after commit (<see cref="CaseSearchIndexer"/>), not by an insert trigger: a case is found
/// before it is indexed, indexed once however many nodes run the indexer, and edits and deletions reach the tables only for
/// cases already in them. On a database of its own (a simulated history), where no host's indexer runs in between.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class CaseSearchIndexerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-search-" + Guid.NewGuid().ToString("N"));

    public CaseSearchIndexerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private OneGridDbContext Context() => PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));

    private static Task<long> Mark(OneGridDbContext db) =>
        db.Database.SqlQueryRaw<long>($"SELECT indexed_through AS \"Value\" FROM {CaseSearchSql.Sqlite.ProgressTable}").SingleAsync();

    private static Task<long> Indexed(OneGridDbContext db, string table, string token) =>
        db.Database.SqlQueryRaw<long>(table == "case_search"
            ? "SELECT count(*) AS \"Value\" FROM case_search WHERE case_search MATCH {0}"
            : "SELECT count(*) AS \"Value\" FROM case_search_pairs WHERE case_search_pairs MATCH {0}", "\"" + token + "\"").SingleAsync();

    private static async Task<IReadOnlyList<long>?> Candidates(OneGridDbContext db, string q) => (await CaseSearch.PlanAsync(db, q, default))!.Candidates;

    [Fact]
    public async Task A_new_case_is_found_at_once_indexed_once_by_two_indexers_and_edits_follow_only_once_it_is_indexed()
    {
        Assert.Equal(0, await OneGridCli.RunAsync(["simulate", "--cases", "200", "--days", "5", "--data", _dir]));
        long id;
        await using (var db = Context())
        {
            // simulate leaves every case indexed.
            Assert.Equal(await db.Cases.MaxAsync(c => c.Id), await Mark(db));
            var template = await db.Cases.AsNoTracking().OrderBy(c => c.Id).FirstAsync();
            template.Id = 0;
            template.Number = "TEST-SEARCH-1";
            template.Description = "楼道里堆满纸箱甲乙丙";
            template.Address = "测试路1号";
            db.Cases.Add(template);
            await db.SaveChangesAsync();
            id = template.Id;

            // Not in the tables yet, found all the same: the plan reads the cases above the mark by their text.
            Assert.True(await Mark(db) < id);
            Assert.Equal(0, await Indexed(db, "case_search", "甲乙丙"));
            Assert.Contains(id, (await Candidates(db, "甲乙丙"))!);
            Assert.Contains(id, (await Candidates(db, "测试"))!);

            // Edited before the indexer came: the trigger leaves it alone, or the indexer would add it a second time.
            var edited = await db.Cases.SingleAsync(c => c.Id == id);
            edited.Description = "楼道里堆满纸箱丁戊己";
            await db.SaveChangesAsync();
            Assert.Equal(0, await Indexed(db, "case_search", "丁戊己"));
        }

        // Two indexers at once (two nodes): the write lock and the mark let one take the case, the other nothing.
        await using (var one = Context())
        await using (var two = Context())
        {
            var done = await Task.WhenAll(CaseSearchIndexer.IndexPendingAsync(one, 100, default), CaseSearchIndexer.IndexPendingAsync(two, 100, default));
            Assert.Equal(1, done.Sum());
        }

        await using (var db = Context())
        {
            Assert.Equal(id, await Mark(db));
            Assert.Equal(1, await Indexed(db, "case_search", "丁戊己"));
            Assert.Equal(1, await Indexed(db, "case_search_pairs", "戊己"));
            Assert.Equal(0, await Indexed(db, "case_search", "甲乙丙"));
            Assert.Equal(0, await CaseSearchIndexer.IndexPendingAsync(db, 100, default));

            // Indexed now: an edit replaces its entry, a deletion removes it.
            var edited = await db.Cases.SingleAsync(c => c.Id == id);
            edited.Description = "楼道里堆满纸箱庚辛壬";
            await db.SaveChangesAsync();
            Assert.Equal(0, await Indexed(db, "case_search", "丁戊己"));
            Assert.Equal(1, await Indexed(db, "case_search", "庚辛壬"));
            Assert.Equal([id], await Candidates(db, "庚辛壬"));

            await db.Database.ExecuteSqlRawAsync("DELETE FROM case_events WHERE \"CaseId\" = {0}; DELETE FROM cases WHERE \"Id\" = {0}", id);
            Assert.Equal(0, await Indexed(db, "case_search", "庚辛壬"));
            Assert.Equal(0, await Indexed(db, "case_search_pairs", "辛壬"));
        }
    }
}

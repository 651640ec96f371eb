using Microsoft.EntityFrameworkCore.Migrations;

namespace OneGrid.Cases;

/// <summary>
/// The text index of the case list's <c>q</c> (<see cref="CaseSearch"/>): raw SQL that EF's model cannot express, kept here so
/// that any migration (and a regenerated one) creates and drops it by calling <see cref="Sqlite"/> or <see cref="Postgres"/>.
/// </summary>
public static class CaseSearchSql
{
    /// <summary>The longest text the SQLite pair index covers: description (column limit 4,000), separator, address (500).</summary>
    public const int SqlitePositions = 4_501;

    /// <summary>
    /// SQLite: two contentless FTS5 tables keyed by <c>cases.Id</c>: new cases are added by <see cref="CaseSearchIndexer"/> shortly
    /// after they commit, changes and deletions by triggers in the writing transaction. <c>case_search</c> holds the trigrams of description and address (queries of three
    /// characters or more); <c>case_search_pairs</c> holds every two-character substring as a word for the unicode61 tokenizer
    /// (queries of two characters, which trigrams cannot serve: 井盖, 漏水). The pairs are cut out by a scalar subquery over a
    /// table of positions because a trigger may not use a recursive CTE. <c>detail=none</c>: only which case holds a token,
    /// no positions — the query reads candidates and checks the text itself on the row (<see cref="CaseSearch"/>).
    /// </summary>
    public static class Sqlite
    {
        private const string Text = "NEW.\"Description\" || char(10) || coalesce(NEW.\"Address\", '')";
        private const string Pairs = "(SELECT group_concat(substr(" + Text + ", i, 2), ' ') FROM case_search_positions WHERE i < length(" + Text + "))";

        /// <summary>One row: the highest case id whose text is in the search tables (<see cref="CaseSearchIndexer"/>).</summary>
        public const string ProgressTable = "case_search_progress";

        private const string Indexed = "OLD.\"Id\" <= (SELECT indexed_through FROM " + ProgressTable + ")";

        public const string InsertText = "INSERT INTO case_search (rowid, text) VALUES (?1, ?2)";
        public const string InsertPairs = "INSERT INTO case_search_pairs (rowid, pairs) VALUES (?1, ?2)";

        /// <summary>What the triggers index of a case: description, a line break, the address.</summary>
        public static string SearchText(string description, string? address) => description + "\n" + (address ?? "");

        /// <summary>
        /// The trigger's pairs in C#: every two-character substring (characters as SQLite's <c>substr</c> counts them, i.e.
        /// code points, not UTF-16 units) joined by spaces; null, as <c>group_concat</c> of no rows, below two characters.
        /// </summary>
        public static string? PairsOf(string text)
        {
            var runes = text.EnumerateRunes().ToArray();
            if (runes.Length < 2) return null;
            var sb = new System.Text.StringBuilder(text.Length * 3);
            for (var i = 0; i + 1 < runes.Length; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(runes[i].ToString()).Append(runes[i + 1].ToString());
            }
            return sb.ToString();
        }

        public static void Up(MigrationBuilder b)
        {
            b.Sql("CREATE TABLE case_search_positions (i INTEGER PRIMARY KEY);");
            b.Sql($"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SqlitePositions}) INSERT INTO case_search_positions SELECT i FROM n;");
            b.Sql("CREATE VIRTUAL TABLE case_search USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1, detail = 'none');");
            b.Sql("CREATE VIRTUAL TABLE case_search_pairs USING fts5(pairs, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = 'none');");
            Triggers(b);
            // Cases written before the index existed.
            Backfill(b, "");
        }

        /// <summary>Indexes the cases <paramref name="where"/> selects (a condition on <c>c</c>, or all) as the triggers would.</summary>
        private static void Backfill(MigrationBuilder b, string where)
        {
            b.Sql($"""INSERT INTO case_search (rowid, text) SELECT c."Id", c."Description" || char(10) || coalesce(c."Address", '') FROM cases c {where};""");
            b.Sql($"""
                INSERT INTO case_search_pairs (rowid, pairs)
                SELECT c."Id", (SELECT group_concat(substr(c."Description" || char(10) || coalesce(c."Address", ''), i, 2), ' ')
                                FROM case_search_positions WHERE i < length(c."Description" || char(10) || coalesce(c."Address", '')))
                FROM cases c {where};
                """);
        }

        /// <summary>The first version's triggers: every insert, update and delete of a case kept in the search tables.</summary>
        private static void Triggers(MigrationBuilder b)
        {
            b.Sql($"""
                CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
                    INSERT INTO case_search (rowid, text) VALUES (NEW."Id", {Text});
                    INSERT INTO case_search_pairs (rowid, pairs) VALUES (NEW."Id", {Pairs});
                END;
                """);
            ChangeTriggers(b, Changed, "");
        }

        private const string Changed = "OLD.\"Description\" IS NOT NEW.\"Description\" OR OLD.\"Address\" IS NOT NEW.\"Address\"";

        /// <summary>The update trigger (firing <c>WHEN</c> <paramref name="update"/>) and the delete trigger (<paramref name="delete"/>: empty, or a <c>WHEN …</c> clause).</summary>
        private static void ChangeTriggers(MigrationBuilder b, string update, string delete)
        {
            // EF writes only the columns an action changed, so most updates (state, clocks) never fire this.
            b.Sql($"""
                CREATE TRIGGER cases_search_update AFTER UPDATE OF "Description", "Address" ON cases
                WHEN {update} BEGIN
                    DELETE FROM case_search WHERE rowid = OLD."Id";
                    DELETE FROM case_search_pairs WHERE rowid = OLD."Id";
                    INSERT INTO case_search (rowid, text) VALUES (NEW."Id", {Text});
                    INSERT INTO case_search_pairs (rowid, pairs) VALUES (NEW."Id", {Pairs});
                END;
                """);
            b.Sql($"""
                CREATE TRIGGER cases_search_delete AFTER DELETE ON cases {delete}BEGIN
                    DELETE FROM case_search WHERE rowid = OLD."Id";
                    DELETE FROM case_search_pairs WHERE rowid = OLD."Id";
                END;
                """);
        }

        /// <summary>
        /// New cases are indexed after they commit, many per transaction, by <see cref="CaseSearchIndexer"/> instead of the insert
        /// trigger; the update and delete triggers stay, for cases already indexed (at or below the mark). Every case existing now
        /// is indexed, so the mark starts at the newest. A bulk load that died with the first version's insert trigger recorded as
        /// dropped (<c>onegrid_deferred_ddl</c>) must not have it built again: the record loses that line.
        /// </summary>
        public static void IndexAfterCommit(MigrationBuilder b)
        {
            b.Sql($"CREATE TABLE {ProgressTable} (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);");
            b.Sql($"INSERT INTO {ProgressTable} (id, indexed_through) SELECT 1, coalesce(max(\"Id\"), 0) FROM cases;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_insert;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_update;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_delete;");
            ChangeTriggers(b, $"({Changed}) AND {Indexed}", $"WHEN {Indexed} ");
            b.Sql("""
                CREATE TABLE IF NOT EXISTS onegrid_deferred_ddl (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, ddl TEXT NOT NULL);
                DELETE FROM onegrid_deferred_ddl WHERE name = 'cases_search_insert';
                """);
        }

        /// <summary>Back to the insert trigger: the cases above the mark are indexed first.</summary>
        public static void IndexAfterCommitDown(MigrationBuilder b)
        {
            Backfill(b, $"WHERE c.\"Id\" > (SELECT indexed_through FROM {ProgressTable})");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_update;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_delete;");
            b.Sql($"DROP TABLE {ProgressTable};");
            Triggers(b);
        }

        public static void Down(MigrationBuilder b)
        {
            b.Sql("DROP TRIGGER IF EXISTS cases_search_insert;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_update;");
            b.Sql("DROP TRIGGER IF EXISTS cases_search_delete;");
            b.Sql("DROP TABLE IF EXISTS case_search;");
            b.Sql("DROP TABLE IF EXISTS case_search_pairs;");
            b.Sql("DROP TABLE IF EXISTS case_search_positions;");
        }
    }

    /// <summary>
    /// PostgreSQL: expression indexes on <c>cases</c> itself, so the planner weighs the text condition against the list's
    /// other indexes with real statistics (a rare word: the text index first; a common one: the list's order, checking rows).
    /// A <c>pg_trgm</c> GIN index serves three characters or more — only where the database's LC_CTYPE classifies Chinese
    /// characters as letters (C.UTF-8, zh_CN.UTF-8; under the C locale pg_trgm makes no trigram of them). A GIN index over
    /// the text's two-character substrings (<c>onegrid_bigrams</c>) serves two characters, under any locale, and stands in
    /// for trigrams where they do not work. The functions are immutable and SQL, so the planner inlines
    /// <c>onegrid_case_text</c> and <c>onegrid_case_has_pairs</c> and matches the index expressions.
    /// </summary>
    public static class Postgres
    {
        public static void Up(MigrationBuilder b)
        {
            b.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            b.Sql("""
                CREATE FUNCTION onegrid_case_text(description text, address text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT description || E'\n' || coalesce(address, '') $$;
                """);
            b.Sql("""
                CREATE FUNCTION onegrid_bigrams(t text) RETURNS text[]
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT coalesce(array_agg(DISTINCT s.c[i] || s.c[i + 1]), '{}')
                    FROM (SELECT string_to_array(lower(t), NULL) AS c) s, generate_series(1, cardinality(s.c) - 1) AS i
                $$;
                """);
            b.Sql("""
                CREATE FUNCTION onegrid_case_has_pairs(description text, address text, query text) RETURNS boolean
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT onegrid_bigrams(onegrid_case_text(description, address)) @> onegrid_bigrams(query) $$;
                """);
            b.Sql("""CREATE INDEX "IX_cases_search_trigrams" ON cases USING gin (onegrid_case_text("Description", "Address") gin_trgm_ops);""");
            b.Sql("""CREATE INDEX "IX_cases_search_pairs" ON cases USING gin (onegrid_bigrams(onegrid_case_text("Description", "Address")));""");
        }

        public static void Down(MigrationBuilder b)
        {
            b.Sql("""DROP INDEX IF EXISTS "IX_cases_search_pairs";""");
            b.Sql("""DROP INDEX IF EXISTS "IX_cases_search_trigrams";""");
            b.Sql("DROP FUNCTION IF EXISTS onegrid_case_has_pairs(text, text, text);");
            b.Sql("DROP FUNCTION IF EXISTS onegrid_bigrams(text);");
            b.Sql("DROP FUNCTION IF EXISTS onegrid_case_text(text, text);");
        }
    }
}

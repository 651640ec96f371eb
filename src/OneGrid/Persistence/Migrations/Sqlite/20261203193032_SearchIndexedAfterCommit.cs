using Microsoft.EntityFrameworkCore.Migrations;
using OneGrid.Cases;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchIndexedAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            CaseSearchSql.Sqlite.IndexAfterCommit(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            CaseSearchSql.Sqlite.IndexAfterCommitDown(migrationBuilder);
        }
    }
}

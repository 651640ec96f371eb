using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CaseSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The text index is raw SQL in one place, so a regenerated migration only has to call it.
            OneGrid.Cases.CaseSearchSql.Postgres.Up(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            OneGrid.Cases.CaseSearchSql.Postgres.Down(migrationBuilder);
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeadlineIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_cases_PhaseOverdue_PhaseDueAt",
                table: "cases",
                columns: new[] { "PhaseOverdue", "PhaseDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_PhaseWarned_PhaseWarnAt",
                table: "cases",
                columns: new[] { "PhaseWarned", "PhaseWarnAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_PhaseOverdue_PhaseDueAt",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_PhaseWarned_PhaseWarnAt",
                table: "cases");
        }
    }
}

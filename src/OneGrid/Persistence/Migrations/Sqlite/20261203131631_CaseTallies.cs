using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseTallies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "case_tallies",
                columns: table => new
                {
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Day = table.Column<int>(type: "INTEGER", nullable: false),
                    Dim = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Reports = table.Column<long>(type: "INTEGER", nullable: false),
                    Registered = table.Column<long>(type: "INTEGER", nullable: false),
                    Dispatched = table.Column<long>(type: "INTEGER", nullable: false),
                    Handled = table.Column<long>(type: "INTEGER", nullable: false),
                    HandledOnTime = table.Column<long>(type: "INTEGER", nullable: false),
                    Closed = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedOnTime = table.Column<long>(type: "INTEGER", nullable: false),
                    Reworked = table.Column<long>(type: "INTEGER", nullable: false),
                    Returned = table.Column<long>(type: "INTEGER", nullable: false),
                    Overdue = table.Column<long>(type: "INTEGER", nullable: false),
                    Ratings = table.Column<long>(type: "INTEGER", nullable: false),
                    Satisfied = table.Column<long>(type: "INTEGER", nullable: false),
                    Extended = table.Column<long>(type: "INTEGER", nullable: false),
                    Suspended = table.Column<long>(type: "INTEGER", nullable: false),
                    ExtendedOrSuspended = table.Column<long>(type: "INTEGER", nullable: false),
                    StateReported = table.Column<long>(type: "INTEGER", nullable: false),
                    StateRegistered = table.Column<long>(type: "INTEGER", nullable: false),
                    StateRejected = table.Column<long>(type: "INTEGER", nullable: false),
                    StateDispatched = table.Column<long>(type: "INTEGER", nullable: false),
                    StateInProgress = table.Column<long>(type: "INTEGER", nullable: false),
                    StateHandled = table.Column<long>(type: "INTEGER", nullable: false),
                    StateClosed = table.Column<long>(type: "INTEGER", nullable: false),
                    Open = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenOverdue = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenWarning = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenSupervised = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedOn = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_tallies", x => new { x.Level, x.Unit, x.Day, x.Dim });
                });

            migrationBuilder.CreateIndex(
                name: "IX_case_tallies_Level_Dim_Unit_Day",
                table: "case_tallies",
                columns: new[] { "Level", "Dim", "Unit", "Day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_tallies");
        }
    }
}

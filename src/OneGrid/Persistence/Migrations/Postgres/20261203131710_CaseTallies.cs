using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Postgres
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
                    Level = table.Column<int>(type: "integer", nullable: false),
                    Unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Day = table.Column<int>(type: "integer", nullable: false),
                    Dim = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Reports = table.Column<long>(type: "bigint", nullable: false),
                    Registered = table.Column<long>(type: "bigint", nullable: false),
                    Dispatched = table.Column<long>(type: "bigint", nullable: false),
                    Handled = table.Column<long>(type: "bigint", nullable: false),
                    HandledOnTime = table.Column<long>(type: "bigint", nullable: false),
                    Closed = table.Column<long>(type: "bigint", nullable: false),
                    ClosedOnTime = table.Column<long>(type: "bigint", nullable: false),
                    Reworked = table.Column<long>(type: "bigint", nullable: false),
                    Returned = table.Column<long>(type: "bigint", nullable: false),
                    Overdue = table.Column<long>(type: "bigint", nullable: false),
                    Ratings = table.Column<long>(type: "bigint", nullable: false),
                    Satisfied = table.Column<long>(type: "bigint", nullable: false),
                    Extended = table.Column<long>(type: "bigint", nullable: false),
                    Suspended = table.Column<long>(type: "bigint", nullable: false),
                    ExtendedOrSuspended = table.Column<long>(type: "bigint", nullable: false),
                    StateReported = table.Column<long>(type: "bigint", nullable: false),
                    StateRegistered = table.Column<long>(type: "bigint", nullable: false),
                    StateRejected = table.Column<long>(type: "bigint", nullable: false),
                    StateDispatched = table.Column<long>(type: "bigint", nullable: false),
                    StateInProgress = table.Column<long>(type: "bigint", nullable: false),
                    StateHandled = table.Column<long>(type: "bigint", nullable: false),
                    StateClosed = table.Column<long>(type: "bigint", nullable: false),
                    Open = table.Column<long>(type: "bigint", nullable: false),
                    OpenOverdue = table.Column<long>(type: "bigint", nullable: false),
                    OpenWarning = table.Column<long>(type: "bigint", nullable: false),
                    OpenSupervised = table.Column<long>(type: "bigint", nullable: false),
                    ClosedOn = table.Column<long>(type: "bigint", nullable: false)
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

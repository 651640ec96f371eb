using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_DepartmentCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_ReportedAt",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_ReporterId",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_CommunityCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "CommunityCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_CommunityCode_State_ReportedAt_Id",
                table: "cases",
                columns: new[] { "CommunityCode", "State", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_DepartmentCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "DepartmentCode", "ReportedAt", "Id" },
                filter: "\"DepartmentCode\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_DepartmentCode_State_ReportedAt_Id",
                table: "cases",
                columns: new[] { "DepartmentCode", "State", "ReportedAt", "Id" },
                filter: "\"DepartmentCode\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_DistrictCode_CategoryCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "DistrictCode", "CategoryCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_DistrictCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "DistrictCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_DistrictCode_State_ReportedAt_Id",
                table: "cases",
                columns: new[] { "DistrictCode", "State", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_due_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "PhaseDueAt", "Id" },
                filter: "\"PhaseDueAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_due_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "PhaseDueAt", "Id" },
                filter: "\"PhaseDueAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_due_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "PhaseDueAt", "Id" },
                filter: "\"PhaseDueAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extended_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "ReportedAt", "Id" },
                filter: "\"ExtendedHours\" > 0.0");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extended_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "ReportedAt", "Id" },
                filter: "\"ExtendedHours\" > 0.0");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extended_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "ReportedAt", "Id" },
                filter: "\"ExtendedHours\" > 0.0");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extension_requested",
                table: "cases",
                columns: new[] { "GridCode", "Id" },
                filter: "\"ExtensionRequestedHours\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_GridCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "GridCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_overdue_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "ReportedAt", "Id" },
                filter: "\"PhaseOverdue\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_overdue_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "ReportedAt", "Id" },
                filter: "\"PhaseOverdue\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_overdue_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "ReportedAt", "Id" },
                filter: "\"PhaseOverdue\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReportedAt_Id",
                table: "cases",
                columns: new[] { "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReporterId_ReportedAt_Id",
                table: "cases",
                columns: new[] { "ReporterId", "ReportedAt", "Id" },
                filter: "\"ReporterId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_StreetCode_CategoryCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "StreetCode", "CategoryCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_StreetCode_ReportedAt_Id",
                table: "cases",
                columns: new[] { "StreetCode", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_StreetCode_State_ReportedAt_Id",
                table: "cases",
                columns: new[] { "StreetCode", "State", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "ReportedAt", "Id" },
                filter: "\"Supervised\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "ReportedAt", "Id" },
                filter: "\"Supervised\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_open",
                table: "cases",
                columns: new[] { "GridCode", "Id" },
                filter: "\"Supervised\" AND \"State\" <> 'Closed' AND \"State\" <> 'Rejected'");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "ReportedAt", "Id" },
                filter: "\"Supervised\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspended_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "ReportedAt", "Id" },
                filter: "\"EverSuspended\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspended_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "ReportedAt", "Id" },
                filter: "\"EverSuspended\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspended_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "ReportedAt", "Id" },
                filter: "\"EverSuspended\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspension_requested",
                table: "cases",
                columns: new[] { "GridCode", "Id" },
                filter: "\"SuspensionRequested\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_CommunityCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_CommunityCode_State_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_DepartmentCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_DepartmentCode_State_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_DistrictCode_CategoryCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_DistrictCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_DistrictCode_State_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_due_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_due_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_due_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extended_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extended_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extended_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extension_requested",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_GridCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_overdue_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_overdue_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_overdue_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_ReporterId_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_StreetCode_CategoryCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_StreetCode_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_StreetCode_State_ReportedAt_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_open",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspended_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspended_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspended_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspension_requested",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_DepartmentCode",
                table: "cases",
                column: "DepartmentCode");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReportedAt",
                table: "cases",
                column: "ReportedAt");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReporterId",
                table: "cases",
                column: "ReporterId");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PendingPerLevel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_cases_extension_requested_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "Id" },
                filter: "\"ExtensionRequestedHours\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extension_requested_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "Id" },
                filter: "\"ExtensionRequestedHours\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_extension_requested_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "Id" },
                filter: "\"ExtensionRequestedHours\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_open_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "Id" },
                filter: "\"Supervised\" AND \"State\" <> 'Closed' AND \"State\" <> 'Rejected'");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_open_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "Id" },
                filter: "\"Supervised\" AND \"State\" <> 'Closed' AND \"State\" <> 'Rejected'");

            migrationBuilder.CreateIndex(
                name: "IX_cases_supervised_open_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "Id" },
                filter: "\"Supervised\" AND \"State\" <> 'Closed' AND \"State\" <> 'Rejected'");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspension_requested_CommunityCode",
                table: "cases",
                columns: new[] { "CommunityCode", "Id" },
                filter: "\"SuspensionRequested\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspension_requested_DistrictCode",
                table: "cases",
                columns: new[] { "DistrictCode", "Id" },
                filter: "\"SuspensionRequested\"");

            migrationBuilder.CreateIndex(
                name: "IX_cases_suspension_requested_StreetCode",
                table: "cases",
                columns: new[] { "StreetCode", "Id" },
                filter: "\"SuspensionRequested\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_extension_requested_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extension_requested_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_extension_requested_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_open_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_open_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_supervised_open_StreetCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspension_requested_CommunityCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspension_requested_DistrictCode",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_suspension_requested_StreetCode",
                table: "cases");
        }
    }
}

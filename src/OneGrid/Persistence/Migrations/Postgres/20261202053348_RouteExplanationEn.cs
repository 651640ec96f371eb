using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RouteExplanationEn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RouteExplanationEn",
                table: "cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RouteExplanationEn",
                table: "cases");
        }
    }
}

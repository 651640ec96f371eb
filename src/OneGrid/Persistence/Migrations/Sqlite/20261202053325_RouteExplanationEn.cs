using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
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
                type: "TEXT",
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

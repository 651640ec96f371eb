using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InspectionTargets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "inspection_target_kinds",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    NameZh = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Sort = table.Column<int>(type: "integer", nullable: false),
                    Active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inspection_target_kinds", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "inspection_targets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    KindCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Lon = table.Column<double>(type: "double precision", nullable: false),
                    Lat = table.Column<double>(type: "double precision", nullable: false),
                    GridCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CommunityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StreetCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DistrictCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ContactName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ContactPhone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inspection_targets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_inspection_targets_inspection_target_kinds_KindCode",
                        column: x => x.KindCode,
                        principalTable: "inspection_target_kinds",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "inspection_target_kinds",
                columns: new[] { "Code", "Active", "NameEn", "NameZh", "Sort" },
                values: new object[,]
                {
                    { "gas-user", true, "Commercial gas user", "燃气用户", 10 },
                    { "rental", true, "Rental housing", "出租房", 30 },
                    { "restaurant", true, "Restaurant", "餐饮", 20 },
                    { "small-venue", true, "Small venue (nine kinds)", "九小场所", 40 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_Code",
                table: "inspection_targets",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_CommunityCode_Id",
                table: "inspection_targets",
                columns: new[] { "CommunityCode", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_DistrictCode_KindCode_Id",
                table: "inspection_targets",
                columns: new[] { "DistrictCode", "KindCode", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_GridCode_Id",
                table: "inspection_targets",
                columns: new[] { "GridCode", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_KindCode",
                table: "inspection_targets",
                column: "KindCode");

            migrationBuilder.CreateIndex(
                name: "IX_inspection_targets_StreetCode_Id",
                table: "inspection_targets",
                columns: new[] { "StreetCode", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inspection_targets");

            migrationBuilder.DropTable(
                name: "inspection_target_kinds");
        }
    }
}

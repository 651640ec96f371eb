using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Catalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_revision",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_revision", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "category_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_category_classes", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "department_kinds",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    HandledByCommunity = table.Column<bool>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_department_kinds", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "platforms",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_platforms", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "category_types",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ClassCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    PlatformCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DepartmentKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    HandlingLimitHours = table.Column<double>(type: "REAL", nullable: false),
                    LimitKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Keywords = table.Column<string>(type: "TEXT", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_category_types", x => x.Code);
                    table.ForeignKey(
                        name: "FK_category_types_category_classes_ClassCode",
                        column: x => x.ClassCode,
                        principalTable: "category_classes",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_category_types_department_kinds_DepartmentKind",
                        column: x => x.DepartmentKind,
                        principalTable: "department_kinds",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_category_types_platforms_PlatformCode",
                        column: x => x.PlatformCode,
                        principalTable: "platforms",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "departments",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PlatformCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_departments", x => x.Code);
                    table.ForeignKey(
                        name: "FK_departments_department_kinds_Kind",
                        column: x => x.Kind,
                        principalTable: "department_kinds",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_departments_platforms_PlatformCode",
                        column: x => x.PlatformCode,
                        principalTable: "platforms",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "routing_rules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CategoryPrefix = table.Column<string>(type: "TEXT", maxLength: 8, nullable: true),
                    PlatformCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    UnitCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DepartmentCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_routing_rules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_routing_rules_departments_DepartmentCode",
                        column: x => x.DepartmentCode,
                        principalTable: "departments",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_routing_rules_platforms_PlatformCode",
                        column: x => x.PlatformCode,
                        principalTable: "platforms",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "catalog_revision",
                columns: new[] { "Id", "ChangedAt", "Revision" },
                values: new object[] { 1, new DateTimeOffset(new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0L });

            migrationBuilder.CreateIndex(
                name: "IX_category_types_ClassCode",
                table: "category_types",
                column: "ClassCode");

            migrationBuilder.CreateIndex(
                name: "IX_category_types_DepartmentKind",
                table: "category_types",
                column: "DepartmentKind");

            migrationBuilder.CreateIndex(
                name: "IX_category_types_PlatformCode",
                table: "category_types",
                column: "PlatformCode");

            migrationBuilder.CreateIndex(
                name: "IX_departments_Kind_UnitCode",
                table: "departments",
                columns: new[] { "Kind", "UnitCode" });

            migrationBuilder.CreateIndex(
                name: "IX_departments_PlatformCode",
                table: "departments",
                column: "PlatformCode");

            migrationBuilder.CreateIndex(
                name: "IX_departments_UnitCode",
                table: "departments",
                column: "UnitCode");

            migrationBuilder.CreateIndex(
                name: "IX_routing_rules_DepartmentCode",
                table: "routing_rules",
                column: "DepartmentCode");

            migrationBuilder.CreateIndex(
                name: "IX_routing_rules_PlatformCode",
                table: "routing_rules",
                column: "PlatformCode");

            migrationBuilder.CreateIndex(
                name: "IX_routing_rules_UnitCode",
                table: "routing_rules",
                column: "UnitCode");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalog_revision");

            migrationBuilder.DropTable(
                name: "category_types");

            migrationBuilder.DropTable(
                name: "routing_rules");

            migrationBuilder.DropTable(
                name: "category_classes");

            migrationBuilder.DropTable(
                name: "departments");

            migrationBuilder.DropTable(
                name: "department_kinds");

            migrationBuilder.DropTable(
                name: "platforms");
        }
    }
}

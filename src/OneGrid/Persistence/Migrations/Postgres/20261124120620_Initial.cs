using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "calendar_days",
                columns: table => new
                {
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    NameZh = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    NameEn = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calendar_days", x => x.Date);
                });

            migrationBuilder.CreateTable(
                name: "calendar_revision",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calendar_revision", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "case_counters",
                columns: table => new
                {
                    scope = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    last = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_counters", x => x.scope);
                });

            migrationBuilder.CreateTable(
                name: "cases",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Lon = table.Column<double>(type: "double precision", nullable: false),
                    Lat = table.Column<double>(type: "double precision", nullable: false),
                    GridCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CommunityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StreetCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DistrictCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    LocationNearest = table.Column<bool>(type: "boolean", nullable: false),
                    CategoryCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CategorySuggested = table.Column<bool>(type: "boolean", nullable: false),
                    PlatformCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ProposedDepartmentCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    RouteExplanation = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    DepartmentCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    OwningLevel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OwningUnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ReporterKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ReporterId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ReporterName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ReporterPhone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    SelfHandled = table.Column<bool>(type: "boolean", nullable: false),
                    Supervised = table.Column<bool>(type: "boolean", nullable: false),
                    MergedIntoId = table.Column<long>(type: "bigint", nullable: true),
                    ReworkCount = table.Column<int>(type: "integer", nullable: false),
                    ReturnCount = table.Column<int>(type: "integer", nullable: false),
                    ReopenCount = table.Column<int>(type: "integer", nullable: false),
                    EscalationCount = table.Column<int>(type: "integer", nullable: false),
                    Satisfaction = table.Column<int>(type: "integer", nullable: true),
                    HandlingResult = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DispatchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    HandledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Phase = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PhaseStartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseWarnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseLimitKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PhaseWarned = table.Column<bool>(type: "boolean", nullable: false),
                    PhaseOverdue = table.Column<bool>(type: "boolean", nullable: false),
                    EverOverdue = table.Column<bool>(type: "boolean", nullable: false),
                    HandlingLimitHours = table.Column<double>(type: "double precision", nullable: false),
                    HandlingLimitKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    RequestHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_keys", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "territory_revision",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_territory_revision", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "units",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    NameEn = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Level = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ParentCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Boundary = table.Column<byte[]>(type: "bytea", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_units", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "case_attachments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Purpose = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    EventId = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_attachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_case_attachments_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "case_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FromState = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    ToState = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ActorId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ActorName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Data = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_case_events_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "calendar_revision",
                columns: new[] { "Id", "ChangedAt", "Revision" },
                values: new object[] { 1, new DateTimeOffset(new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0L });

            migrationBuilder.InsertData(
                table: "territory_revision",
                columns: new[] { "Id", "ChangedAt", "Revision" },
                values: new object[] { 1, new DateTimeOffset(new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0L });

            migrationBuilder.CreateIndex(
                name: "IX_case_attachments_CaseId",
                table: "case_attachments",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_case_events_At",
                table: "case_events",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_case_events_CaseId_Id",
                table: "case_events",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_CategoryCode_State",
                table: "cases",
                columns: new[] { "CategoryCode", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_DepartmentCode",
                table: "cases",
                column: "DepartmentCode");

            migrationBuilder.CreateIndex(
                name: "IX_cases_Number",
                table: "cases",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_PhaseDueAt",
                table: "cases",
                column: "PhaseDueAt");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReportedAt",
                table: "cases",
                column: "ReportedAt");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReporterId",
                table: "cases",
                column: "ReporterId");

            migrationBuilder.CreateIndex(
                name: "IX_cases_State_GridCode",
                table: "cases",
                columns: new[] { "State", "GridCode" });

            migrationBuilder.CreateIndex(
                name: "IX_units_Level",
                table: "units",
                column: "Level");

            migrationBuilder.CreateIndex(
                name: "IX_units_ParentCode",
                table: "units",
                column: "ParentCode");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "calendar_days");

            migrationBuilder.DropTable(
                name: "calendar_revision");

            migrationBuilder.DropTable(
                name: "case_attachments");

            migrationBuilder.DropTable(
                name: "case_counters");

            migrationBuilder.DropTable(
                name: "case_events");

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "territory_revision");

            migrationBuilder.DropTable(
                name: "units");

            migrationBuilder.DropTable(
                name: "cases");
        }
    }
}

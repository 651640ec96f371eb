using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DisputesAndCaseClocks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DisputeId",
                table: "webhook_outbox",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "EverSuspended",
                table: "cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "ExtendedHours",
                table: "cases",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "ExtensionRequestedHours",
                table: "cases",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SuspendedAt",
                table: "cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SuspensionRequested",
                table: "cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "dispute_types",
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
                    table.PrimaryKey("PK_dispute_types", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "disputes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Phase = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TypeCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Summary = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Lon = table.Column<double>(type: "double precision", nullable: true),
                    Lat = table.Column<double>(type: "double precision", nullable: true),
                    Address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    GridCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CommunityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    StreetCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    DistrictCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Level = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OwningUnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    RegisteredLevel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RegisteredUnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Risk = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    MediatorId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    MediatorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LeaderId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LeaderName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CaseId = table.Column<long>(type: "bigint", nullable: true),
                    AgreementText = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Obligations = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    PerformBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FailReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    TransferKind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    TransferBody = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    EscalationCount = table.Column<int>(type: "integer", nullable: false),
                    ReopenCount = table.Column<int>(type: "integer", nullable: false),
                    FollowedUpAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Performed = table.Column<bool>(type: "boolean", nullable: true),
                    Satisfied = table.Column<bool>(type: "boolean", nullable: true),
                    OutcomeOnTime = table.Column<bool>(type: "boolean", nullable: true),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    OutcomeAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RegisteredById = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PhaseStartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseWarnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PhaseLimitKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PhaseWarned = table.Column<bool>(type: "boolean", nullable: false),
                    PhaseOverdue = table.Column<bool>(type: "boolean", nullable: false),
                    EverOverdue = table.Column<bool>(type: "boolean", nullable: false),
                    ExtensionRequestedHours = table.Column<double>(type: "double precision", nullable: true),
                    ExtendedHours = table.Column<double>(type: "double precision", nullable: false),
                    SuspensionRequested = table.Column<bool>(type: "boolean", nullable: false),
                    SuspendedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EverSuspended = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_disputes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "dispute_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DisputeId = table.Column<long>(type: "bigint", nullable: false),
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
                    table.PrimaryKey("PK_dispute_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_dispute_events_disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "dispute_parties",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DisputeId = table.Column<long>(type: "bigint", nullable: false),
                    Role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Phone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    IdTail = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dispute_parties", x => x.Id);
                    table.ForeignKey(
                        name: "FK_dispute_parties_disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "dispute_sessions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DisputeId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Place = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Attendees = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    RecordedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dispute_sessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_dispute_sessions_disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "dispute_types",
                columns: new[] { "Code", "Active", "NameEn", "NameZh", "Sort" },
                values: new object[,]
                {
                    { "consumer", true, "Consumer", "消费纠纷", 60 },
                    { "family", true, "Marriage and family", "婚姻家庭", 20 },
                    { "labour", true, "Labour", "劳动争议", 40 },
                    { "land", true, "Land and contracts", "土地承包", 50 },
                    { "neighbour", true, "Neighbours", "邻里纠纷", 10 },
                    { "other", true, "Other", "其他", 80 },
                    { "property", true, "Property management", "物业纠纷", 30 },
                    { "traffic", true, "Traffic accident", "交通事故", 70 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_dispute_events_At",
                table: "dispute_events",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_dispute_events_DisputeId_Id",
                table: "dispute_events",
                columns: new[] { "DisputeId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_dispute_parties_DisputeId",
                table: "dispute_parties",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_dispute_sessions_DisputeId_At",
                table: "dispute_sessions",
                columns: new[] { "DisputeId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_disputes_CaseId",
                table: "disputes",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_CommunityCode_Id",
                table: "disputes",
                columns: new[] { "CommunityCode", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_disputes_DistrictCode_Risk_State",
                table: "disputes",
                columns: new[] { "DistrictCode", "Risk", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_disputes_LeaderId",
                table: "disputes",
                column: "LeaderId");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_MediatorId",
                table: "disputes",
                column: "MediatorId");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_Number",
                table: "disputes",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_disputes_OwningUnitCode_Id",
                table: "disputes",
                columns: new[] { "OwningUnitCode", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_disputes_PhaseDueAt",
                table: "disputes",
                column: "PhaseDueAt");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_PhaseWarnAt",
                table: "disputes",
                column: "PhaseWarnAt");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_RegisteredAt",
                table: "disputes",
                column: "RegisteredAt");

            migrationBuilder.CreateIndex(
                name: "IX_disputes_State_OwningUnitCode",
                table: "disputes",
                columns: new[] { "State", "OwningUnitCode" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dispute_events");

            migrationBuilder.DropTable(
                name: "dispute_parties");

            migrationBuilder.DropTable(
                name: "dispute_sessions");

            migrationBuilder.DropTable(
                name: "dispute_types");

            migrationBuilder.DropTable(
                name: "disputes");

            migrationBuilder.DropColumn(
                name: "DisputeId",
                table: "webhook_outbox");

            migrationBuilder.DropColumn(
                name: "EverSuspended",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "ExtendedHours",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "ExtensionRequestedHours",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SuspendedAt",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SuspensionRequested",
                table: "cases");
        }
    }
}

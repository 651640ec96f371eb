using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace OneGrid.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "EverSuspended",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "ExtendedHours",
                table: "cases",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "ExtensionRequestedHours",
                table: "cases",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SuspendedAt",
                table: "cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SuspensionRequested",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "dispute_types",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    NameZh = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Sort = table.Column<int>(type: "INTEGER", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dispute_types", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "disputes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Phase = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TypeCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Lon = table.Column<double>(type: "REAL", nullable: true),
                    Lat = table.Column<double>(type: "REAL", nullable: true),
                    Address = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    GridCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    CommunityCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    StreetCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    DistrictCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    OwningUnitCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RegisteredLevel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RegisteredUnitCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Risk = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    MediatorId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    MediatorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LeaderId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LeaderName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CaseId = table.Column<long>(type: "INTEGER", nullable: true),
                    AgreementText = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Obligations = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    PerformBy = table.Column<long>(type: "INTEGER", nullable: true),
                    FailReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    TransferKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    TransferBody = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    EscalationCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ReopenCount = table.Column<int>(type: "INTEGER", nullable: false),
                    FollowedUpAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Performed = table.Column<bool>(type: "INTEGER", nullable: true),
                    Satisfied = table.Column<bool>(type: "INTEGER", nullable: true),
                    OutcomeOnTime = table.Column<bool>(type: "INTEGER", nullable: true),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    OutcomeAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RegisteredById = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PhaseStartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PhaseWarnAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PhaseDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PhaseLimitKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    PhaseWarned = table.Column<bool>(type: "INTEGER", nullable: false),
                    PhaseOverdue = table.Column<bool>(type: "INTEGER", nullable: false),
                    EverOverdue = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExtensionRequestedHours = table.Column<double>(type: "REAL", nullable: true),
                    ExtendedHours = table.Column<double>(type: "REAL", nullable: false),
                    SuspensionRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    SuspendedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EverSuspended = table.Column<bool>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_disputes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "dispute_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DisputeId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FromState = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ToState = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Data = table.Column<string>(type: "TEXT", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DisputeId = table.Column<long>(type: "INTEGER", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Phone = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    IdTail = table.Column<string>(type: "TEXT", maxLength: 4, nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DisputeId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Place = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Attendees = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
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

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGrid.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CaseExtensionSuspension : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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

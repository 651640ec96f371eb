using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Workflows;

namespace OneGrid.Cases;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.ToTable("cases");
        b.HasKey(c => c.Id);
        b.HasIndex(c => c.Number).IsUnique();
        b.Property(c => c.Number).HasMaxLength(32);
        b.Property(c => c.Description).HasMaxLength(4000);
        b.Property(c => c.Address).HasMaxLength(500);
        foreach (var code in new[] { nameof(Case.GridCode), nameof(Case.CommunityCode), nameof(Case.StreetCode), nameof(Case.DistrictCode),
                     nameof(Case.OwningUnitCode), nameof(Case.CategoryCode), nameof(Case.PlatformCode), nameof(Case.DepartmentCode),
                     nameof(Case.ProposedDepartmentCode) })
        {
            b.Property(code).HasMaxLength(32);
        }
        b.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.OwningLevel).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.ReporterKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Phase).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.PhaseLimitKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.HandlingLimitKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.ReporterId).HasMaxLength(100);
        b.Property(c => c.ReporterName).HasMaxLength(100);
        b.Property(c => c.ReporterPhone).HasMaxLength(32);
        b.Property(c => c.ReporterPhoneKey).HasMaxLength(64);
        b.Property(c => c.RouteExplanation).HasMaxLength(500);
        b.Property(c => c.RouteExplanationEn).HasMaxLength(500);
        b.Ignore(c => c.RouteExplanationText);
        b.Property(c => c.HandlingResult).HasMaxLength(4000);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.Ignore(c => c.IsOpen);

        b.HasIndex(c => new { c.State, c.GridCode });
        // No index on PhaseDueAt alone: SQLite preferred walking it, city-wide, for an inbox branch's due order over the
        // branch's own unit index (2.7 s instead of 30 ms at 1 M cases); the deadline scan reads (PhaseOverdue, PhaseDueAt).
        ListIndexes(b);
        b.HasIndex(c => new { c.CategoryCode, c.State });
        // Duplicate detection: the same category in the cells around a point.
        b.HasIndex(c => new { c.CategoryCode, c.Cell });
        // A resident's look-up by phone: the opted-in cases of one key, newest first, a keyset page at a time.
        b.HasIndex(c => new { c.ReporterPhoneKey, c.Id });
        // The deadline scan, every period on every node: the clocks still to flag, found by range, not by reading the
        // whole table (a stopped clock's times are null, so closed history is never in these ranges).
        b.HasIndex(c => new { c.PhaseWarned, c.PhaseWarnAt });
        b.HasIndex(c => new { c.PhaseOverdue, c.PhaseDueAt });
    }

    /// <summary>
    /// The indexes the case lists and inboxes read (CaseListing, CaseQueries): for a scope (a unit column equal to a code)
    /// under one filter, newest first, an index whose leading columns are the scope and the filter and whose next are
    /// (ReportedAt, Id) gives the first page, and every next one, in a page's worth of entries. Rare flags have partial
    /// indexes holding only their cases, so they cost a write only for those; their conditions are written exactly as
    /// CaseFilter and CaseQueries write them, which both databases need to use a partial index (plain SQL, the same
    /// on both: PascalCase columns, booleans as truth values, states as their names).
    /// </summary>
    private static void ListIndexes(EntityTypeBuilder<Case> b)
    {
        // City-wide (a prefix scope) and a person's own reports. Most cases have no reporter account (residents) and
        // none has a department before dispatch: without those nulls in the index, SQLite's statistics (rows per key)
        // tell how few cases one reporter or one department has, and it reads their index rather than a state's.
        b.HasIndex(c => new { c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.ReporterId, c.ReportedAt, c.Id }).HasFilter("\"ReporterId\" IS NOT NULL");
        // A department's cases, and its queue by state.
        b.HasIndex(c => new { c.DepartmentCode, c.ReportedAt, c.Id }).HasFilter("\"DepartmentCode\" IS NOT NULL");
        b.HasIndex(c => new { c.DepartmentCode, c.State, c.ReportedAt, c.Id }).HasFilter("\"DepartmentCode\" IS NOT NULL");
        // Unit scopes: a grid is small enough to filter by reading it; a community, street or district also by state
        // (every inbox branch is a state under a unit), and a street or district by category.
        b.HasIndex(c => new { c.GridCode, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.CommunityCode, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.StreetCode, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.DistrictCode, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.CommunityCode, c.State, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.StreetCode, c.State, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.DistrictCode, c.State, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.StreetCode, c.CategoryCode, c.ReportedAt, c.Id });
        b.HasIndex(c => new { c.DistrictCode, c.CategoryCode, c.ReportedAt, c.Id });

        foreach (var (flag, condition) in FlagConditions)
        {
            b.HasIndex(c => new { c.CommunityCode, c.ReportedAt, c.Id }, $"IX_cases_{flag}_CommunityCode").HasFilter(condition);
            b.HasIndex(c => new { c.StreetCode, c.ReportedAt, c.Id }, $"IX_cases_{flag}_StreetCode").HasFilter(condition);
            b.HasIndex(c => new { c.DistrictCode, c.ReportedAt, c.Id }, $"IX_cases_{flag}_DistrictCode").HasFilter(condition);
        }
        // The "due" sort's first segment: the deadlines of open cases, per unit.
        b.HasIndex(c => new { c.CommunityCode, c.PhaseDueAt, c.Id }, "IX_cases_due_CommunityCode").HasFilter(DueCondition);
        b.HasIndex(c => new { c.StreetCode, c.PhaseDueAt, c.Id }, "IX_cases_due_StreetCode").HasFilter(DueCondition);
        b.HasIndex(c => new { c.DistrictCode, c.PhaseDueAt, c.Id }, "IX_cases_due_DistrictCode").HasFilter(DueCondition);
        // Pending requests and the leader's open supervised cases: a few at any time, city-wide. Keyed by each level's
        // column, because the inbox asks for them under a unit as an equality on that column (CaseQueries.Under): with the
        // grid's key only, SQLite read a street's every case to find its few requests (90 ms a branch at 1 M cases).
        foreach (var (name, condition) in PendingConditions)
        {
            b.HasIndex(c => new { c.GridCode, c.Id }, $"IX_cases_{name}").HasFilter(condition);
            b.HasIndex(c => new { c.CommunityCode, c.Id }, $"IX_cases_{name}_CommunityCode").HasFilter(condition);
            b.HasIndex(c => new { c.StreetCode, c.Id }, $"IX_cases_{name}_StreetCode").HasFilter(condition);
            b.HasIndex(c => new { c.DistrictCode, c.Id }, $"IX_cases_{name}_DistrictCode").HasFilter(condition);
        }
    }

    internal const string DueCondition = "\"PhaseDueAt\" IS NOT NULL";

    /// <summary>The list's flag filters (CaseFilter: overdue, supervised, suspended, extended) as their partial indexes' conditions.</summary>
    internal static readonly (string Flag, string Condition)[] FlagConditions =
    [
        ("overdue", "\"PhaseOverdue\""),
        ("supervised", "\"Supervised\""),
        ("suspended", "\"EverSuspended\""),
        ("extended", "\"ExtendedHours\" > 0.0"),
    ];

    /// <summary>What waits in an inbox through a request or supervision, written as CaseQueries writes it.</summary>
    internal static readonly (string Name, string Condition)[] PendingConditions =
    [
        ("extension_requested", "\"ExtensionRequestedHours\" IS NOT NULL"),
        ("suspension_requested", "\"SuspensionRequested\""),
        ("supervised_open", "\"Supervised\" AND \"State\" <> 'Closed' AND \"State\" <> 'Rejected'"),
    ];
}

internal sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> b)
    {
        b.ToTable("case_events");
        b.MapTimeline<CaseEvent, CaseState>();
        b.HasIndex(e => new { e.CaseId, e.Id });
        b.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseAttachmentConfiguration : IEntityTypeConfiguration<CaseAttachment>
{
    public void Configure(EntityTypeBuilder<CaseAttachment> b)
    {
        b.ToTable("case_attachments");
        b.HasKey(a => a.Id);
        b.HasIndex(a => a.CaseId);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.Property(a => a.ContentType).HasMaxLength(100);
        b.Property(a => a.Purpose).HasMaxLength(16);
        b.HasOne<Case>().WithMany().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FileUploadConfiguration : IEntityTypeConfiguration<FileUpload>
{
    public void Configure(EntityTypeBuilder<FileUpload> b)
    {
        b.ToTable("file_uploads");
        b.HasKey(u => u.Id);
        b.HasIndex(u => u.TokenHash).IsUnique();
        b.HasIndex(u => u.Sha256);
        b.HasIndex(u => u.CreatedAt);
        b.Property(u => u.TokenHash).HasMaxLength(64);
        b.Property(u => u.Sha256).HasMaxLength(64);
        b.Property(u => u.ContentType).HasMaxLength(100);
        b.Property(u => u.UploadedBy).HasMaxLength(100);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_keys");
        b.HasKey(r => r.Key);
        b.Property(r => r.Key).HasMaxLength(300);
        b.Property(r => r.RequestHash).HasMaxLength(64);
    }
}

internal sealed class CaseCounterConfiguration : IEntityTypeConfiguration<CaseCounter>
{
    public void Configure(EntityTypeBuilder<CaseCounter> b)
    {
        b.ToTable("case_counters");
        b.HasKey(c => c.Scope);
        b.Property(c => c.Scope).HasMaxLength(64);
        b.Property(c => c.Scope).HasColumnName("scope");
        b.Property(c => c.Last).HasColumnName("last");
    }
}

using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Access;

// Identity's tables get the snake_case names the rest of the schema uses; the columns keep Identity's names.

internal sealed class UserConfiguration : IEntityTypeConfiguration<OneGridUser>
{
    public void Configure(EntityTypeBuilder<OneGridUser> b)
    {
        b.ToTable("users");
        b.Property(u => u.DisplayName).HasMaxLength(200).IsRequired();
        b.HasMany(u => u.Grants).WithOne().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserClaimConfiguration : IEntityTypeConfiguration<IdentityUserClaim<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> b) => b.ToTable("user_claims");
}

internal sealed class UserLoginConfiguration : IEntityTypeConfiguration<IdentityUserLogin<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> b) => b.ToTable("user_logins");
}

internal sealed class UserTokenConfiguration : IEntityTypeConfiguration<IdentityUserToken<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> b) => b.ToTable("user_tokens");
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b) => b.ToTable("data_protection_keys");
}

internal static class GrantColumns
{
    public static void Configure<T>(EntityTypeBuilder<T> b) where T : GrantRow
    {
        b.HasKey(g => g.Id);
        b.Property(g => g.Role).HasConversion<string>().HasMaxLength(32);
        b.Property(g => g.UnitCode).HasMaxLength(32).IsRequired();
        b.Property(g => g.PlatformCode).HasMaxLength(64);
        b.Property(g => g.DepartmentCode).HasMaxLength(64);
    }
}

internal sealed class UserGrantConfiguration : IEntityTypeConfiguration<UserGrant>
{
    public void Configure(EntityTypeBuilder<UserGrant> b)
    {
        b.ToTable("grants");
        GrantColumns.Configure(b);
        b.HasIndex(g => g.UserId);
        b.HasIndex(g => g.UnitCode);
    }
}

internal sealed class ApiKeyGrantConfiguration : IEntityTypeConfiguration<ApiKeyGrant>
{
    public void Configure(EntityTypeBuilder<ApiKeyGrant> b)
    {
        b.ToTable("api_key_grants");
        GrantColumns.Configure(b);
        b.HasIndex(g => g.ApiKeyId);
    }
}

internal sealed class CourierConfiguration : IEntityTypeConfiguration<Courier>
{
    public void Configure(EntityTypeBuilder<Courier> b)
    {
        b.ToTable("couriers");
        b.HasKey(c => c.Id);
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.Property(c => c.Phone).HasMaxLength(32).IsRequired();
        b.Property(c => c.Company).HasMaxLength(100);
        b.Property(c => c.Station).HasMaxLength(200);
        b.Property(c => c.StreetCodes).HasMaxLength(1000).IsRequired();
        b.Property(c => c.CreatedBy).HasMaxLength(200);
        b.Ignore(c => c.Streets);
        b.Ignore(c => c.ActorId);
        b.HasIndex(c => c.Phone);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("api_keys");
        b.HasKey(k => k.Id);
        b.Property(k => k.Name).HasMaxLength(200).IsRequired();
        b.Property(k => k.Prefix).HasMaxLength(32).IsRequired();
        b.HasIndex(k => k.Prefix).IsUnique();
        b.Property(k => k.Hash).HasMaxLength(32).IsRequired();
        b.Property(k => k.CreatedBy).HasMaxLength(200);
        b.Property(k => k.DemoSecret).HasMaxLength(2000);
        b.Ignore(k => k.ActorId);
        b.HasMany(k => k.Grants).WithOne().HasForeignKey(g => g.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EndedSessionConfiguration : IEntityTypeConfiguration<EndedSession>
{
    public void Configure(EntityTypeBuilder<EndedSession> b)
    {
        b.ToTable("ended_sessions");
        b.HasKey(s => s.SessionId);
        b.Property(s => s.SessionId).HasMaxLength(64);
        b.HasIndex(s => s.ExpiresAt);
    }
}

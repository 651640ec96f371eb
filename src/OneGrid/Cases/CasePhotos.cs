using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>The photos and documents a report or a handling result attaches, checked before anything is written.</summary>
public sealed class CasePhotos(OneGridDbContext db, AttachmentStore files, TimeProvider time)
{
    /// <summary>
    /// Photos are upload tokens from POST /api/v1/files or data: URIs; every one is checked before anything is
    /// written. A file's hash is not enough: whoever learnt it (from a case they may read) could otherwise
    /// attach someone else's photo to their own report and then read it.
    /// </summary>
    public async Task<List<StoredFile>> StoreAsync(IReadOnlyList<string>? photos, string field, CancellationToken ct)
    {
        var result = new List<StoredFile>();
        if (photos is null) return result;
        var decoded = new List<byte[]>();
        foreach (var p in photos)
        {
            if (AttachmentStore.IsToken(p))
            {
                var tokenHash = AttachmentStore.HashToken(p);
                // Refused a little before the sweeper may delete it, so a file is never attached as it goes.
                var since = time.GetUtcNow() - FileUpload.AttachWithin;
                var upload = await db.FileUploads.AsNoTracking().FirstOrDefaultAsync(u => u.TokenHash == tokenHash && u.CreatedAt > since, ct);
                if (upload is null || !files.Exists(upload.Sha256))
                {
                    throw ProblemException.Invalid(field, "上传凭证无效或已过期（24 小时），请重新上传", "Unknown or expired upload token (24 h): upload the file again");
                }
                result.Add(new StoredFile(upload.Sha256, upload.ContentType, upload.Size));
                continue;
            }
            if (AttachmentStore.IsHash(p))
            {
                throw ProblemException.Invalid(field, "请使用上传文件时返回的 token，而不是文件哈希", "Attach an uploaded file by the token its upload returned, not by its hash");
            }
            var comma = p.IndexOf(',');
            if (!p.StartsWith("data:", StringComparison.Ordinal) || comma < 0 || !p[..comma].EndsWith(";base64", StringComparison.Ordinal))
            {
                throw ProblemException.Invalid(field, "照片须为上传文件返回的 token 或 base64 data URI", "Each photo must be an upload token or a base64 data: URI");
            }
            byte[] bytes;
            try { bytes = Convert.FromBase64String(p[(comma + 1)..]); }
            catch (FormatException) { throw ProblemException.Invalid(field, "照片的 base64 编码有误", "A photo is not valid base64"); }
            if (bytes.Length > AttachmentStore.MaxBytes)
                throw ProblemException.Invalid(field, $"照片不能超过 {AttachmentStore.MaxBytes / 1024 / 1024} MB", $"A photo is larger than {AttachmentStore.MaxBytes / 1024 / 1024} MB");
            if (AttachmentStore.Sniff(bytes.AsSpan(0, Math.Min(16, bytes.Length))) is null)
                throw ProblemException.Invalid(field, "文件内容不是支持的图片或文档（JPEG、PNG、GIF、WebP、PDF）", "The content is not a supported image or document (JPEG, PNG, GIF, WebP, PDF)");
            decoded.Add(bytes);
        }
        foreach (var bytes in decoded) result.Add((await files.SaveAsync(bytes, ct))!);
        return result;
    }

}

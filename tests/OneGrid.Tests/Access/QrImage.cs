using System.Buffers.Binary;
using System.IO.Compression;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace OneGrid.Tests.Access;

/// <summary>
/// Reads the text of a QR code PNG as a phone's camera would: the PNG is decoded here (non-interlaced,
/// grey, palette or RGB, any filter) and the pixels given to ZXing's QR reader.
/// </summary>
public static class QrImage
{
    public static string? Read(byte[] png)
    {
        var (width, height, luminance) = Decode(png);
        var bitmap = new BinaryBitmap(new HybridBinarizer(new PlanarYUVLuminanceSource(luminance, width, height, 0, 0, width, height, false)));
        return new QRCodeReader().decode(bitmap, new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = false })?.Text;
    }

    private static (int Width, int Height, byte[] Luminance) Decode(byte[] png)
    {
        int width = 0, height = 0, depth = 0, colour = 0;
        byte[]? palette = null;
        var data = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    depth = body[8];
                    colour = body[9];
                    if (body[12] != 0) throw new NotSupportedException("interlaced PNG");
                    break;
                case "PLTE":
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    data.Write(body);
                    break;
            }
            at += 12 + length;
        }
        var channels = colour switch { 0 or 3 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new NotSupportedException($"PNG colour type {colour}") };
        var bitsPerPixel = channels * depth;
        var stride = (width * bitsPerPixel + 7) / 8;
        var step = Math.Max(1, bitsPerPixel / 8);
        data.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(data, CompressionMode.Decompress)) z.CopyTo(inflated);
        var raw = inflated.ToArray();

        var rows = new byte[height][];
        var previous = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var row = raw.AsSpan(y * (stride + 1) + 1, stride).ToArray();
            for (var i = 0; i < stride; i++)
            {
                int left = i >= step ? row[i - step] : 0, up = previous[i], upLeft = i >= step ? previous[i - step] : 0;
                row[i] = (byte)(row[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new NotSupportedException($"PNG filter {filter}"),
                });
            }
            rows[y] = previous = row;
        }

        var luminance = new byte[width * height];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            int Sample(int index)
            {
                if (depth == 8) return rows[y][index];
                var bit = index * depth;
                var value = (rows[y][bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
                return colour == 3 ? value : value * 255 / ((1 << depth) - 1);
            }
            luminance[y * width + x] = (byte)(colour switch
            {
                0 or 4 => Sample(x * channels),
                3 => palette![Sample(x) * 3 + 1],
                _ => (Sample(x * channels) + Sample(x * channels + 1) + Sample(x * channels + 2)) / 3,
            });
        }
        return (width, height, luminance);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

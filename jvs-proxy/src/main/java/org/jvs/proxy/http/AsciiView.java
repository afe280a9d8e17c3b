package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * A byte range of a buffer seen as Latin-1 characters, so a {@link java.util.regex.Matcher} can be
 * {@code reset} onto a request's path or a header value without building a String. Reused per thread.
 */
public final class AsciiView implements CharSequence {
    private ByteBuf buf;
    private int start;
    private int length;

    public AsciiView of(ByteBuf buf, int start, int end) {
        this.buf = buf;
        this.start = start;
        this.length = end - start;
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (buf.getByte(start + index) & 0xFF);
    }

    @Override
    public CharSequence subSequence(int s, int e) {
        return toString().substring(s, e);
    }

    @Override
    public String toString() {
        return buf.toString(start, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}

/**
 * The browser console (docs/console.md): its HTTPS listener ({@link org.jvs.director.console.ConsoleServer}),
 * users and their password hashes ({@link org.jvs.director.console.ConsoleUser},
 * {@link org.jvs.director.console.PasswordHash}, {@code bin/jvs passwd}), sessions, the login throttle, the
 * rates history and the event stream. It knows no director: what it shows comes through
 * {@link org.jvs.director.console.LiveState}, and what it changes goes to the control API's handler, so
 * the console can do nothing jvsadm cannot. The page itself (HTML, script, style, vendored uPlot) lives in
 * this package's resources under {@code static/}.
 */
package org.jvs.director.console;

/** A `.txt` file imported on Workers: its text (wrangler's Text module rule, see wrangler.toml). */
declare module '*.txt' {
  const text: string;
  export default text;
}

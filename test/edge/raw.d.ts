/** Text files imported as strings (Vite's `?raw`), such as SQL the README tells operators to run. */
declare module '*?raw' {
  const text: string;
  export default text;
}

export function App() {
  return (
    <main className="shell">
      <h1>Mowt</h1>
      <p>Revenue analytics for subscription businesses.</p>
    </main>
  );
}
